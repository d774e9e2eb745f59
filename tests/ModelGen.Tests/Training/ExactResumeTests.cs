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
    private const int ResumedEpoch = 2; // from 0: the third epoch of the phase, after two of its checkpoints

    [Fact]
    public void RunKilledInItsSecondPhase_ResumesWithTheUninterruptedRunsTrainableSetAndOptimizerState()
    {
        using var temp = new TempFolder();
        var data = FashionData.Subset(FashionData.Train, perClass: 30, temp["data"]);
        var epoch = ResumedEpoch.ToString(CultureInfo.InvariantCulture);

        TestHostProcess.Run("train-exact", data, temp["whole/checkpoints"], temp["whole/out"], Phase, epoch);

        using (var host = TestHostProcess.Start("train-exact", data, temp["killed/checkpoints"], temp["killed/out"], Phase, epoch))
        {
            var reached = host.WaitUntil(() => Checkpoints(temp["killed/checkpoints"]).Any(f => f.Contains($"-{Phase}-e0002", StringComparison.Ordinal)), TimeSpan.FromMinutes(3));
            Assert.True(reached, "no checkpoint after the phase's second epoch:\n" + host.Output);
            Thread.Sleep(300);
            Assert.False(host.HasExited, "training finished before it could be killed:\n" + host.Output);
            host.KillHard();
        }

        // Killed in the phase's third epoch: its newest checkpoint is the second epoch's.
        Assert.EndsWith($"-{Phase}-e0002.mgckpt", Checkpoints(temp["killed/checkpoints"]).Order(StringComparer.Ordinal).Last(), StringComparison.Ordinal);
        var dump = $"state-{Phase}-{epoch}.txt";
        File.Delete(temp[$"killed/out/{dump}"]); // the killed process's own, written before the kill; the resumed run writes it again

        var output = TestHostProcess.Run("train-exact", data, temp["killed/checkpoints"], temp["killed/out"], Phase, epoch, "resume");
        Assert.Contains("resuming from", output);

        var whole = File.ReadAllLines(temp[$"whole/out/{dump}"]);
        AssertTheStateIsTheSecondPhases(whole);
        AssertSameLines(whole, File.ReadAllLines(temp[$"killed/out/{dump}"]), "the state the third epoch of the fine-tuning phase starts with");
        AssertSameLines(File.ReadAllLines(temp["whole/out/final-weights.txt"]), File.ReadAllLines(temp["killed/out/final-weights.txt"]), "the final weights");

        var expected = TrainingHistory.FromJson(File.ReadAllText(temp["whole/out/history.json"])).Epochs;
        var resumed = TrainingHistory.FromJson(File.ReadAllText(temp["killed/out/history.json"])).Epochs;
        Assert.Equal(["head 1", "finetune 1", "finetune 2", "finetune 3", "finetune 4"], resumed.Select(e => $"{e.Phase} {e.Epoch}"));
        Assert.Equal(expected.Select(e => (e.Phase, e.Epoch, e.Loss, e.Accuracy, e.LearningRate)), resumed.Select(e => (e.Phase, e.Epoch, e.Loss, e.Accuracy, e.LearningRate)));

        // The step schedule (x0.5 every epoch from the phase's 1e-3), where it stands in each epoch of the resumed run.
        Assert.Equal([1e-3, 5e-4, 2.5e-4, 1.25e-4], resumed.Where(e => e.Phase == Phase).Select(e => e.LearningRate), new ToleranceComparer(1e-15));
    }

    // The dump is of the second phase, not of a state that two broken runs could share: layer2 and the head train, the
    // layers before are frozen (their batch norms in eval mode), and Adam holds two groups and a state that has stepped.
    private static void AssertTheStateIsTheSecondPhases(string[] dump)
    {
        Assert.Contains($"epoch {Phase} {ResumedEpoch}", dump);
        Assert.Contains("parameter backbone.layer2.0.conv1.weight trains", dump);
        Assert.Contains("parameter backbone.layer1.0.conv1.weight frozen", dump);
        Assert.Contains(dump, l => l.StartsWith("mode ", StringComparison.Ordinal) && l.Contains("layer2.0.bn1 ", StringComparison.Ordinal) && l.EndsWith(" train", StringComparison.Ordinal));
        Assert.Contains(dump, l => l.StartsWith("mode ", StringComparison.Ordinal) && l.Contains("layer1.0.bn1 ", StringComparison.Ordinal) && l.EndsWith(" eval", StringComparison.Ordinal));
        Assert.Contains("optimizer TorchSharp.Modules.Adam", dump);
        Assert.Equal(2, dump.Count(l => l.StartsWith("group ", StringComparison.Ordinal)));
        Assert.All(dump.Where(l => l.StartsWith("state ", StringComparison.Ordinal)), l => Assert.Contains(" step 4 ", l, StringComparison.Ordinal)); // 2 epochs of 2 steps (6 batches, 5 a step)
        Assert.Contains("steps next 4 pending 0", dump);
        Assert.DoesNotContain("average none", dump);
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
