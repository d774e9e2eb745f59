using Microsoft.Extensions.Logging;
using ModelGen.Tests.Infrastructure;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Logging;

/// <summary>
/// Where a training run's messages go (the model's logger, or the call's), what they say, and that they
/// are structured: every value a reader might filter on is a named property.
/// </summary>
public sealed class TrainingMessagesTests
{
    private static readonly EarlyStoppingSettings WatchValidationLoss = new(EarlyStoppingMonitor.ValLoss, Patience: 5, RestoreBest: false, MinDelta: 0);

    [Fact]
    public void TheModelsLogger_GetsTheRunsMessages_InOrder()
    {
        using var temp = new TempFolder();
        var logger = new CapturingLogger();

        RunEpochs(new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.Lines, Resume = true }, new ModelOptions { Logger = logger }, epochs: 2);

        Assert.Equal(
            [LogEvents.NothingToResume, LogEvents.EpochCompleted, LogEvents.MonitorWithoutValidation, LogEvents.EpochCompleted, LogEvents.PhaseFinished, LogEvents.TrainingFinished],
            logger.Entries.Select(e => e.EventId.Id));
        var nothing = logger.Of(LogEvents.NothingToResume).Single();
        Assert.Equal(LogLevel.Warning, nothing.Level);
        Assert.Equal("Tiny: no checkpoint to resume from (checkpoints are off); starting fresh", nothing.Message);
        var monitor = logger.Of(LogEvents.MonitorWithoutValidation).Single();
        Assert.Equal((LogLevel.Warning, "val_loss", "loss"), (monitor.Level, monitor["Monitor"], monitor["Fallback"]));
        var epochs = logger.Of(LogEvents.EpochCompleted);
        Assert.Equal([1, 2], epochs.Select(e => e["Epoch"]));
        Assert.All(epochs, e => Assert.Equal(("Tiny", "train", 2, LogLevel.Information), (e["Model"], e["Phase"], e["Epochs"], e.Level)));
        Assert.StartsWith("Tiny train epoch 2/2: loss 0.0000 acc 0.0000 lr 0.1 (", epochs[1].Message);
        var phase = logger.Of(LogEvents.PhaseFinished).Single();
        Assert.Equal(("train", 2, 0.0, 0.0), (phase["Phase"], phase["EpochCount"], phase["Loss"], phase["Accuracy"]));
        Assert.StartsWith("Tiny train: 2 epochs in ", phase.Message);
        var finished = logger.Of(LogEvents.TrainingFinished).Single();
        Assert.Equal((2, temp.Path), (finished["EpochCount"], finished["OutputDirectory"]));
        Assert.Matches($@"^Tiny: 2 epochs in \d+s; history and curves in {System.Text.RegularExpressions.Regex.Escape(temp.Path)}, checkpoints off, report none$", finished.Message);
        Assert.Equal(nameof(LogEvents.TrainingFinished), finished.EventId.Name);
    }

    [Fact]
    public void TrainOptionsLogger_TakesTheCallsMessages_InsteadOfTheModels()
    {
        using var temp = new TempFolder();
        var model = new CapturingLogger();
        var call = new CapturingLogger();

        RunEpochs(new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.Lines, Logger = call }, new ModelOptions { Logger = model }, epochs: 1);

        Assert.Empty(model.Entries);
        Assert.Single(call.Of(LogEvents.EpochCompleted));
    }

    [Fact]
    public void WithoutModelOptions_OnlyTrainOptionsLoggerGetsTheMessages()
    {
        using var temp = new TempFolder();
        var call = new CapturingLogger();
        using var model = nn.Linear(3, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);

        // The overload generated code of earlier versions calls.
        using (var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.Lines, Logger = call }, checkpoints: null, earlyStopping: null, seed: 1))
        {
            using var phase = run.BeginPhase("train", epochs: 1, optimizer, schedule: null, samples: 1);
            phase.EndEpoch(phase.BeginEpoch(0), null);
            run.Finish();
        }

        Assert.Equal([LogEvents.EpochCompleted, LogEvents.PhaseFinished, LogEvents.TrainingFinished], call.Entries.Select(e => e.EventId.Id));
    }

    [Fact]
    public void ProgressNone_LeavesOutTheEpochLinesAndTheSummary_NotTheWarnings()
    {
        using var temp = new TempFolder();
        var logger = new CapturingLogger();

        RunEpochs(new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None, Resume = true }, new ModelOptions { Logger = logger }, epochs: 2);

        Assert.Equal([LogEvents.NothingToResume, LogEvents.MonitorWithoutValidation], logger.Entries.Select(e => e.EventId.Id));
    }

    [Fact]
    public void AnEpochWithValidation_LogsTheValidationValues()
    {
        using var temp = new TempFolder();
        var logger = new CapturingLogger();

        RunEpochs(new TrainOptions { OutputDirectory = temp.Path, Progress = ProgressMode.Lines }, new ModelOptions { Logger = logger }, epochs: 1, validation: Evaluation(correctOutOf100: 75, loss: 0.25));

        var epoch = logger.Of(LogEvents.EpochCompletedWithValidation).Single();
        Assert.Equal((0.25, 0.75), (epoch["ValLoss"], epoch["ValAccuracy"]));
        Assert.Contains("val_loss 0.2500 val_acc 0.7500", epoch.Message);
        Assert.Empty(logger.Of(LogEvents.MonitorWithoutValidation));
        var phase = logger.Of(LogEvents.PhaseFinishedWithValidation).Single();
        Assert.Equal((0.25, 0.75, 0.75), (phase["ValLoss"], phase["ValAccuracy"], phase["BestValAccuracy"]));
    }

    [Fact]
    public void AResumedRun_SaysWhichCheckpointItResumesFrom()
    {
        using var temp = new TempFolder();
        var checkpoints = new CheckpointSettings(temp["checkpoints"], Keep: 3);
        using var model = nn.Linear(3, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);
        using (var stopped = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp["out"] }, checkpoints, earlyStopping: null, seed: 1, new ModelOptions()))
        {
            using var phase = stopped.BeginPhase("train", epochs: 3, optimizer, schedule: null, samples: 1);
            phase.EndEpoch(phase.BeginEpoch(0), null);
        }

        var logger = new CapturingLogger();
        using var resumed = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp["out"], Resume = true }, checkpoints, earlyStopping: null, seed: 1, new ModelOptions { Logger = logger });
        using var again = resumed.BeginPhase("train", epochs: 3, optimizer, schedule: null, samples: 1);

        var resuming = logger.Of(LogEvents.Resuming).Single();
        var checkpoint = Path.GetFileName(Directory.GetFiles(temp["checkpoints"], "ckpt-*").Single());
        Assert.Matches(@"^ckpt-Tiny-\d{8}T\d{9}-[0-9a-f]{12}-000001-train-e0001\.mgckpt$", checkpoint); // model, run start, run id, number, phase, epochs
        Assert.Equal(("Tiny", checkpoint, "train", 1), (resuming["Model"], resuming["Checkpoint"], resuming["Phase"], resuming["EpochsDone"]));
        Assert.Equal($"Tiny: resuming from {checkpoint} (phase train, 1 epochs done)", resuming.Message);
        Assert.Equal(1, again.FirstEpoch);
    }

    /// <summary>A phase of <paramref name="epochs"/> epochs of a one-layer model that does not learn, with early stopping on the validation loss; finished.</summary>
    private static void RunEpochs(TrainOptions trainOptions, ModelOptions modelOptions, int epochs, EvaluationResult? validation = null)
    {
        using var model = nn.Linear(3, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);
        using var run = TrainingRun.Start(model, "Tiny", trainOptions, checkpoints: null, WatchValidationLoss, seed: 1, modelOptions);
        using (var phase = run.BeginPhase("train", epochs, optimizer, schedule: null, samples: 1))
        {
            for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)
            {
                phase.EndEpoch(phase.BeginEpoch(epoch), validation);
            }
        }

        run.Finish();
    }

    private static EvaluationResult Evaluation(int correctOutOf100, double loss) =>
        new(["a", "b"], new long[,] { { correctOutOf100, 0 }, { 100 - correctOutOf100, 0 } }, loss, skipped: 0);
}
