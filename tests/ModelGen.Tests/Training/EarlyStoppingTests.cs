using ModelGen.Training;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// Early stopping as <see cref="PhaseRun"/> does it for the generated loops: the phase stops after
/// <c>patience</c> epochs without improvement, and with <c>restore_best</c> the model ends with the weights
/// of its best epoch, not its last.
/// </summary>
public sealed class EarlyStoppingTests
{
    [Fact]
    public void StopsAfterPatienceEpochsWithoutImprovement_AndRestoresTheBestEpochsWeights()
    {
        // Validation losses per epoch: the best is epoch 2; epochs 3 and 4 do not improve (patience 2).
        var (continued, weights, log) = RunEpochs(new EarlyStoppingSettings(EarlyStoppingMonitor.ValLoss, Patience: 2, RestoreBest: true, MinDelta: 0), [0.9, 0.5, 0.6, 0.7, 0.1, 0.1]);

        Assert.Equal(new[] { true, true, true, false }, continued);
        Assert.Equal(WeightsOfEpoch(2), weights);
        Assert.Equal([LogEvents.EarlyStopped, LogEvents.BestWeightsRestored], log.Entries.Select(e => e.EventId.Id));
        var stopped = log.Of(LogEvents.EarlyStopped).Single();
        Assert.Equal((4, "val_loss", 2, 0.5, 2), (stopped["Epoch"], stopped["Monitor"], stopped["Wait"], stopped["Best"], stopped["BestEpoch"]));
        Assert.Equal("Tiny train: early stopping after epoch 4: val_loss has not improved for 2 epochs (best 0.5000 at epoch 2)", stopped.Message);
        Assert.Equal("Tiny train: restored the weights of epoch 2 (val_loss 0.5000)", log.Of(LogEvents.BestWeightsRestored).Single().Message);
    }

    [Fact]
    public void WithoutRestoreBest_KeepsTheLastEpochsWeights()
    {
        var (continued, weights, log) = RunEpochs(new EarlyStoppingSettings(EarlyStoppingMonitor.ValLoss, Patience: 2, RestoreBest: false, MinDelta: 0), [0.9, 0.5, 0.6, 0.7, 0.1, 0.1]);

        Assert.Equal(new[] { true, true, true, false }, continued);
        Assert.Equal(WeightsOfEpoch(4), weights);
        Assert.Equal([LogEvents.EarlyStopped], log.Entries.Select(e => e.EventId.Id));
    }

    [Fact]
    public void AccuracyIsMaximised_AndAnImprovementSmallerThanMinDeltaDoesNotCount()
    {
        // Validation accuracy: epoch 3 beats epoch 2 by less than min_delta, so epoch 2 stays the best
        // and epochs 3 and 4 are the two without improvement.
        var (continued, weights, _) = RunEpochs(new EarlyStoppingSettings(EarlyStoppingMonitor.ValAccuracy, Patience: 2, RestoreBest: true, MinDelta: 0.05), [0.4, 0.7, 0.72, 0.5, 0.9, 0.9], accuracy: true);

        Assert.Equal(new[] { true, true, true, false }, continued);
        Assert.Equal(WeightsOfEpoch(2), weights);
    }

    [Fact]
    public void APhaseThatRunsOut_StillEndsWithTheBestWeights()
    {
        var (continued, weights, log) = RunEpochs(new EarlyStoppingSettings(EarlyStoppingMonitor.ValLoss, Patience: 5, RestoreBest: true, MinDelta: 0), [0.9, 0.3, 0.6, 0.7]);

        Assert.Equal(new[] { true, true, true, true }, continued);
        Assert.Equal(WeightsOfEpoch(2), weights);
        Assert.Equal([LogEvents.BestWeightsRestored], log.Entries.Select(e => e.EventId.Id));
    }

    [Fact]
    public void AResumedPhase_RestoresTheBestWeightsKeptBeforeTheInterruption()
    {
        using var temp = new TempFolder();
        var settings = new EarlyStoppingSettings(EarlyStoppingMonitor.ValLoss, Patience: 3, RestoreBest: true, MinDelta: 0);
        double[] validation = [0.9, 0.5, 0.6, 0.7, 0.8, 0.1];
        RunEpochs(settings, validation, checkpoints: temp["checkpoints"], stopAfter: 3);

        var (continued, weights, log) = RunEpochs(settings, validation, checkpoints: temp["checkpoints"], resume: true);

        Assert.Equal(new[] { true, false }, continued);
        Assert.Equal(WeightsOfEpoch(2), weights);
        Assert.DoesNotContain(log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public void ATruncatedBestWeightsFile_IsReportedOnResume_AndNotLoaded()
    {
        // Issue 18 item 12: the best weights had no checksum, and a truncated file crashed the resume.
        using var temp = new TempFolder();
        var settings = new EarlyStoppingSettings(EarlyStoppingMonitor.ValLoss, Patience: 3, RestoreBest: true, MinDelta: 0);
        double[] validation = [0.9, 0.5, 0.6, 0.7, 0.8, 0.1];
        RunEpochs(settings, validation, checkpoints: temp["checkpoints"], stopAfter: 3);
        var best = Directory.GetFiles(temp["checkpoints"], "best-*").Single();
        var bytes = File.ReadAllBytes(best);
        File.WriteAllBytes(best, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        var (continued, weights, log) = RunEpochs(settings, validation, checkpoints: temp["checkpoints"], resume: true);

        Assert.Equal(new[] { true, false }, continued);
        Assert.Equal(WeightsOfEpoch(5), weights); // the best weights are lost: the phase ends with its last ones
        var warning = Assert.Single(log.Of(LogEvents.BestWeightsUnusable));
        Assert.Contains("truncated", warning.Message);
    }

    /// <summary>The weights the fake training below gives the model in epoch <paramref name="epoch"/>.</summary>
    private static float[] WeightsOfEpoch(int epoch) => [epoch, -epoch, epoch * 10f, 0.5f * epoch];

    /// <summary>
    /// Runs a phase of up to 6 epochs on a one-layer model whose "training" sets its weights to
    /// <see cref="WeightsOfEpoch"/>, with the given validation results; returns what
    /// <see cref="PhaseRun.EndEpoch"/> said after each epoch, the weights at the end, and what was logged. With
    /// <paramref name="checkpoints"/> it writes checkpoints there (and resumes from them with
    /// <paramref name="resume"/>); <paramref name="stopAfter"/> interrupts it after that many epochs.
    /// </summary>
    private static (List<bool> Continued, float[] Weights, CapturingLogger Log) RunEpochs(EarlyStoppingSettings settings, double[] validation, bool accuracy = false, string? checkpoints = null, bool resume = false, int? stopAfter = null)
    {
        using var temp = new TempFolder();
        using var model = nn.Linear(3, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);
        var log = new CapturingLogger();
        var options = new TrainOptions { OutputDirectory = temp.Path, CheckpointDirectory = checkpoints, Resume = resume, Progress = ProgressMode.None };
        using var run = TrainingRun.Start(model, "Tiny", options, checkpoints: null, settings, seed: 1, new ModelOptions { Logger = log });
        using var phase = run.BeginPhase("train", epochs: validation.Length, optimizer, schedule: null, samples: 1);
        var continued = new List<bool>();
        for (var epoch = phase.FirstEpoch; epoch < Math.Min(phase.Epochs, stopAfter ?? int.MaxValue); epoch++)
        {
            var metrics = phase.BeginEpoch(epoch);
            SetWeights(model, WeightsOfEpoch(epoch + 1));
            var value = validation[epoch];
            var result = accuracy ? Evaluation(correctOutOf100: (int)Math.Round(value * 100), loss: 1) : Evaluation(correctOutOf100: 50, loss: value);
            continued.Add(phase.EndEpoch(metrics, result));
            if (!continued[^1])
            {
                break;
            }
        }

        if (stopAfter is null)
        {
            run.Finish();
        }

        using var scope = NewDisposeScope();
        var weights = cat([model.weight.detach().flatten(), model.bias!.detach()]).data<float>().ToArray();
        return (continued, weights, log);
    }

    private static void SetWeights(TorchSharp.Modules.Linear model, float[] values)
    {
        using var noGrad = no_grad();
        using var weight = tensor(values[..3]).reshape(1, 3);
        using var bias = tensor(values[3..]);
        model.weight.copy_(weight);
        model.bias!.copy_(bias);
    }

    /// <summary>A validation result of 100 samples of two classes with the given number right and mean loss.</summary>
    private static EvaluationResult Evaluation(int correctOutOf100, double loss) =>
        new(["a", "b"], new long[,] { { correctOutOf100, 0 }, { 100 - correctOutOf100, 0 } }, loss, skipped: 0);
}
