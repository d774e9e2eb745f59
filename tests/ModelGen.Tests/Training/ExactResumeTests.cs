using System.Globalization;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Training;

/// <summary>
/// A run killed with kill -9 during its second phase (another freeze and another optimizer than the first) resumes
/// exactly where the uninterrupted run of the same seed is at that point: the same parameters train, every batch norm
/// is in the same mode, the optimizer has the same type, parameter groups, learning rates and per-parameter state
/// (Adam's step, exp_avg, exp_avg_sq), and the weight average, early stopping and step counters are the same, bit for
/// bit; the resumed run then ends with the uninterrupted run's weights and history (PyTorch Lightning's issue 21901
/// is a resume that got the trainable set and the optimizer wrong). The child process is tests/ModelGen.TestHost's
/// train-exact command on ResumableExact.model.yaml, which dumps the state from ModelGen's EpochStarting diagnostic event.
/// </summary>
public sealed class ExactResumeTests
{
    private const string Phase = "finetune";

    /// <summary>
    /// ResumableExact: RMSprop, then Adam with a rate of its own for the backbone (two groups), a step schedule, gradient
    /// accumulation with clipping, an average of the weights, early stopping with the best weights. ResumableWarmup: Adam,
    /// then RMSprop with momentum, a linear warmup before cosine, accumulation, dropout, and batch norms that update their
    /// statistics in the frozen layers too.
    /// </summary>
    /// <param name="model">The test host's model.</param>
    /// <param name="killedAfter">The checkpoint after which the run is killed: the fine-tuning phase's second epoch, or the head phase's last.</param>
    /// <param name="resumedEpoch">The epoch of the fine-tuning phase (from 0) the resumed run starts with.</param>
    [Theory]
    [InlineData("ResumableExact", "finetune-e0002", 2)]
    [InlineData("ResumableWarmup", "finetune-e0002", 2)]
    [InlineData("ResumableExact", "head-e0001", 0)]
    public void RunKilledInItsSecondPhase_ResumesWithTheUninterruptedRunsTrainableSetAndOptimizerState(string model, string killedAfter, int resumedEpoch)
    {
        using var temp = new TempFolder();
        var data = FashionData.Subset(FashionData.Train, perClass: 30, temp["data"]);
        var epoch = resumedEpoch.ToString(CultureInfo.InvariantCulture);

        TestHostProcess.Run("train-exact", model, data, temp["whole/checkpoints"], temp["whole/out"], Phase, epoch);

        using (var host = TestHostProcess.Start("train-exact", model, data, temp["killed/checkpoints"], temp["killed/out"], Phase, epoch))
        {
            var reached = host.WaitUntil(() => Checkpoints(temp["killed/checkpoints"]).Any(f => f.Contains($"-{killedAfter}", StringComparison.Ordinal)), TimeSpan.FromMinutes(3));
            Assert.True(reached, $"no checkpoint {killedAfter}:\n" + host.Output);
            Thread.Sleep(300);
            Assert.False(host.HasExited, "training finished before it could be killed:\n" + host.Output);
            host.KillHard();
        }

        // Killed in the fine-tuning phase: its newest checkpoint is the one waited for.
        Assert.EndsWith($"-{killedAfter}.mgckpt", Checkpoints(temp["killed/checkpoints"]).Order(StringComparer.Ordinal).Last(), StringComparison.Ordinal);
        var dump = $"state-{Phase}-{epoch}.txt";
        if (File.Exists(temp[$"killed/out/{dump}"]))
        {
            File.Delete(temp[$"killed/out/{dump}"]); // the killed process's own, when it got that far; the resumed run writes it again
        }

        var output = TestHostProcess.Run("train-exact", model, data, temp["killed/checkpoints"], temp["killed/out"], Phase, epoch, "resume");
        Assert.Contains("resuming from", output);

        var whole = File.ReadAllLines(temp[$"whole/out/{dump}"]);
        AssertTheStateIsTheSecondPhases(model, resumedEpoch, whole);
        AssertSameLines(whole, File.ReadAllLines(temp[$"killed/out/{dump}"]), $"the state epoch {resumedEpoch} (from 0) of the fine-tuning phase starts with");
        AssertSameLines(File.ReadAllLines(temp["whole/out/final-weights.txt"]), File.ReadAllLines(temp["killed/out/final-weights.txt"]), "the final weights");

        var expected = TrainingHistory.FromJson(File.ReadAllText(temp["whole/out/history.json"])).Epochs;
        var resumed = TrainingHistory.FromJson(File.ReadAllText(temp["killed/out/history.json"])).Epochs;
        Assert.Equal(["head 1", "finetune 1", "finetune 2", "finetune 3", "finetune 4"], resumed.Select(e => $"{e.Phase} {e.Epoch}"));
        Assert.Equal(expected.Select(e => (e.Phase, e.Epoch, e.Loss, e.Accuracy, e.LearningRate)), resumed.Select(e => (e.Phase, e.Epoch, e.Loss, e.Accuracy, e.LearningRate)));

        // Where the schedule stands in each epoch of the resumed run: x0.5 every epoch from the phase's 1e-3; or the warmup's
        // last step (1e-3 · 4/4 after 4 steps of 2 batches), then cosine over the 3 epochs after it.
        double[] rates = model == "ResumableExact"
            ? [1e-3, 5e-4, 2.5e-4, 1.25e-4]
            : [1e-3, 1e-3, 1e-3 * (1 + Math.Cos(Math.PI / 3)) / 2, 1e-3 * (1 + Math.Cos(2 * Math.PI / 3)) / 2];
        Assert.Equal(rates, resumed.Where(e => e.Phase == Phase).Select(e => e.LearningRate), new ToleranceComparer(1e-15));
    }

    // The dump is of the second phase, not of a state that two broken runs could share: layer2 and the head train, the
    // layers before are frozen (their batch norms in eval mode unless batch_norm: trainable), and the phase's optimizer
    // holds its groups and a state that has stepped as often as the epochs before had steps (6 batches an epoch: 2 steps
    // with 5 batches a step, 3 with 2).
    private static void AssertTheStateIsTheSecondPhases(string model, int resumedEpoch, string[] dump)
    {
        var exact = model == "ResumableExact";
        Assert.Contains($"epoch {Phase} {resumedEpoch}", dump);
        Assert.Contains("parameter backbone.layer2.0.conv1.weight trains", dump);
        Assert.Contains("parameter head.dense1.weight trains", dump);
        Assert.Contains("parameter backbone.layer1.0.conv1.weight frozen", dump);
        Assert.Contains(dump, l => l.StartsWith("mode backbone.layer2.0.bn1 ", StringComparison.Ordinal) && l.EndsWith(" train", StringComparison.Ordinal));
        Assert.Contains(dump, l => l.StartsWith("mode backbone.layer1.0.bn1 ", StringComparison.Ordinal) && l.EndsWith(exact ? " eval" : " train", StringComparison.Ordinal));
        Assert.Contains(exact ? "optimizer TorchSharp.Modules.Adam" : "optimizer TorchSharp.Modules.RMSProp", dump);
        Assert.Equal(exact ? 2 : 1, dump.Count(l => l.StartsWith("group ", StringComparison.Ordinal)));
        var steps = resumedEpoch * (exact ? 2 : 3);
        Assert.All(dump.Where(l => l.StartsWith("state ", StringComparison.Ordinal)), l => Assert.Contains($" step {steps} ", l, StringComparison.Ordinal));
        Assert.Contains($"steps next {steps} pending 0", dump);
        Assert.Equal(exact, !dump.Contains("average none"));
    }

    private static void AssertSameLines(string[] expected, string[] actual, string what)
    {
        var differences = expected.Zip(actual).Where(p => p.First != p.Second).Take(10).Select(p => $"  uninterrupted: {p.First}\n  resumed:       {p.Second}").ToList();
        Assert.True(
            differences.Count == 0 && expected.Length == actual.Length,
            $"{what} differ ({expected.Length} lines against {actual.Length}):\n{string.Join("\n", differences)}");
    }

    private static IEnumerable<string> Checkpoints(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "ckpt-*.mgckpt") : [];

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
