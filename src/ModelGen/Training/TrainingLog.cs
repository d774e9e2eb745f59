using Microsoft.Extensions.Logging;

namespace ModelGen.Training;

/// <summary>The messages of training on the run's logger.</summary>
internal static partial class TrainingLog
{
    [LoggerMessage(EventId = LogEvents.EpochCompleted, EventName = nameof(LogEvents.EpochCompleted), Level = LogLevel.Information,
        Message = "{Model} {Phase} epoch {Epoch}/{Epochs}: loss {Loss:0.0000} acc {Accuracy:0.0000} lr {LearningRate:G3} ({Seconds:0.0}s, {SamplesPerSecond:0.0} samples/s)")]
    public static partial void EpochCompleted(this ILogger logger, string model, string phase, int epoch, int epochs, double loss, double accuracy, double learningRate, double seconds, double samplesPerSecond);

    [LoggerMessage(EventId = LogEvents.EpochCompletedWithValidation, EventName = nameof(LogEvents.EpochCompletedWithValidation), Level = LogLevel.Information,
        Message = "{Model} {Phase} epoch {Epoch}/{Epochs}: loss {Loss:0.0000} acc {Accuracy:0.0000} val_loss {ValLoss:0.0000} val_acc {ValAccuracy:0.0000} lr {LearningRate:G3} ({Seconds:0.0}s, {SamplesPerSecond:0.0} samples/s)")]
    public static partial void EpochCompletedWithValidation(this ILogger logger, string model, string phase, int epoch, int epochs, double loss, double accuracy, double valLoss, double valAccuracy, double learningRate, double seconds, double samplesPerSecond);

    [LoggerMessage(EventId = LogEvents.RegressionEpochCompleted, EventName = nameof(LogEvents.RegressionEpochCompleted), Level = LogLevel.Information,
        Message = "{Model} {Phase} epoch {Epoch}/{Epochs}: loss {Loss:0.0000} mae {MeanAbsoluteError:G4} lr {LearningRate:G3} ({Seconds:0.0}s, {SamplesPerSecond:0.0} samples/s)")]
    public static partial void RegressionEpochCompleted(this ILogger logger, string model, string phase, int epoch, int epochs, double loss, double meanAbsoluteError, double learningRate, double seconds, double samplesPerSecond);

    [LoggerMessage(EventId = LogEvents.RegressionEpochCompletedWithValidation, EventName = nameof(LogEvents.RegressionEpochCompletedWithValidation), Level = LogLevel.Information,
        Message = "{Model} {Phase} epoch {Epoch}/{Epochs}: loss {Loss:0.0000} mae {MeanAbsoluteError:G4} val_loss {ValLoss:0.0000} val_mae {ValMeanAbsoluteError:G4} val_r2 {ValRSquared:0.000} lr {LearningRate:G3} ({Seconds:0.0}s, {SamplesPerSecond:0.0} samples/s)")]
    public static partial void RegressionEpochCompletedWithValidation(this ILogger logger, string model, string phase, int epoch, int epochs, double loss, double meanAbsoluteError, double valLoss, double valMeanAbsoluteError, double valRSquared, double learningRate, double seconds, double samplesPerSecond);

    [LoggerMessage(EventId = LogEvents.Resuming, EventName = nameof(LogEvents.Resuming), Level = LogLevel.Information,
        Message = "{Model}: resuming from {Checkpoint} (phase {Phase}, {EpochsDone} epochs done)")]
    public static partial void Resuming(this ILogger logger, string model, string checkpoint, string phase, int epochsDone);

    [LoggerMessage(EventId = LogEvents.NothingToResume, EventName = nameof(LogEvents.NothingToResume), Level = LogLevel.Warning,
        Message = "{Model}: no checkpoint to resume from ({Where}); starting fresh")]
    public static partial void NothingToResume(this ILogger logger, string model, string where);

    [LoggerMessage(EventId = LogEvents.CheckpointsOfOtherRunsRemoved, EventName = nameof(LogEvents.CheckpointsOfOtherRunsRemoved), Level = LogLevel.Information,
        Message = "{Model}: removed {Count} checkpoints of earlier runs from {Directory}, which keeps {Keep}: {Files}")]
    public static partial void CheckpointsOfOtherRunsRemoved(this ILogger logger, string model, int count, string directory, int keep, string files);

    [LoggerMessage(EventId = LogEvents.CheckpointsWritten, EventName = nameof(LogEvents.CheckpointsWritten), Level = LogLevel.Information,
        Message = "{Model}: checkpoints go to {CheckpointDirectory}, {Megabytes:0.0} MB each, the newest {Keep} kept (the trained layers; frozen ones come from the pretrained weights)")]
    public static partial void CheckpointsWritten(this ILogger logger, string model, string checkpointDirectory, double megabytes, int keep);

    [LoggerMessage(EventId = LogEvents.CheckpointsDespiteSpec, EventName = nameof(LogEvents.CheckpointsDespiteSpec), Level = LogLevel.Information,
        Message = "{Model}: the spec says checkpoints: none, but TrainOptions.CheckpointDirectory names {CheckpointDirectory}, so checkpoints are written there")]
    public static partial void CheckpointsDespiteSpec(this ILogger logger, string model, string checkpointDirectory);

    [LoggerMessage(EventId = LogEvents.ClassWeightsUsed, EventName = nameof(LogEvents.ClassWeightsUsed), Level = LogLevel.Information,
        Message = "{Model}: the training loss weighs the classes ({Weighting}): {Weights}")]
    public static partial void ClassWeightsUsed(this ILogger logger, string model, string weighting, string weights);

    [LoggerMessage(EventId = LogEvents.BatchesMixed, EventName = nameof(LogEvents.BatchesMixed), Level = LogLevel.Information,
        Message = "{Model}, phase {Phase}: {Mixing}")]
    public static partial void BatchesMixed(this ILogger logger, string model, string phase, string mixing);

    [LoggerMessage(EventId = LogEvents.HeadNotTrained, EventName = nameof(LogEvents.HeadNotTrained), Level = LogLevel.Warning,
        Message = "{Model}.{Operation}: the head was never trained nor loaded, so its outputs come from random initial weights; call Train or Load first")]
    public static partial void HeadNotTrained(this ILogger logger, string model, string operation);

    [LoggerMessage(EventId = LogEvents.EarlyStopped, EventName = nameof(LogEvents.EarlyStopped), Level = LogLevel.Information,
        Message = "{Model} {Phase}: early stopping after epoch {Epoch}: {Monitor} has not improved for {Wait} epochs (best {Best:0.0000} at epoch {BestEpoch})")]
    public static partial void EarlyStopped(this ILogger logger, string model, string phase, int epoch, string monitor, int wait, double best, int bestEpoch);

    [LoggerMessage(EventId = LogEvents.BestWeightsRestored, EventName = nameof(LogEvents.BestWeightsRestored), Level = LogLevel.Information,
        Message = "{Model} {Phase}: restored the weights of epoch {BestEpoch} ({Monitor} {Best:0.0000})")]
    public static partial void BestWeightsRestored(this ILogger logger, string model, string phase, int bestEpoch, string monitor, double best);

    [LoggerMessage(EventId = LogEvents.BestWeightsUnusable, EventName = nameof(LogEvents.BestWeightsUnusable), Level = LogLevel.Warning,
        Message = "{Model} {Phase}: the kept best weights are not used: {Problem}")]
    public static partial void BestWeightsUnusable(this ILogger logger, string model, string phase, string problem);

    [LoggerMessage(EventId = LogEvents.MonitorWithoutValidation, EventName = nameof(LogEvents.MonitorWithoutValidation), Level = LogLevel.Warning,
        Message = "{Model} {Phase}: early stopping monitors {Monitor}, but there is no validation data; watching {Fallback} instead")]
    public static partial void MonitorWithoutValidation(this ILogger logger, string model, string phase, string monitor, string fallback);

    [LoggerMessage(EventId = LogEvents.PhaseFinished, EventName = nameof(LogEvents.PhaseFinished), Level = LogLevel.Information,
        Message = "{Model} {Phase}: {EpochCount} epochs in {Seconds:0.0}s ({SamplesPerSecond:0} samples/s), last loss {Loss:0.0000} acc {Accuracy:0.0000}")]
    public static partial void PhaseFinished(this ILogger logger, string model, string phase, int epochCount, double seconds, double samplesPerSecond, double loss, double accuracy);

    [LoggerMessage(EventId = LogEvents.PhaseFinishedWithValidation, EventName = nameof(LogEvents.PhaseFinishedWithValidation), Level = LogLevel.Information,
        Message = "{Model} {Phase}: {EpochCount} epochs in {Seconds:0.0}s ({SamplesPerSecond:0} samples/s), last loss {Loss:0.0000} acc {Accuracy:0.0000} val_loss {ValLoss:0.0000} val_acc {ValAccuracy:0.0000}, best val_acc {BestValAccuracy:0.0000}")]
    public static partial void PhaseFinishedWithValidation(this ILogger logger, string model, string phase, int epochCount, double seconds, double samplesPerSecond, double loss, double accuracy, double valLoss, double valAccuracy, double bestValAccuracy);

    [LoggerMessage(EventId = LogEvents.RegressionPhaseFinished, EventName = nameof(LogEvents.RegressionPhaseFinished), Level = LogLevel.Information,
        Message = "{Model} {Phase}: {EpochCount} epochs in {Seconds:0.0}s ({SamplesPerSecond:0} samples/s), last loss {Loss:0.0000} mae {MeanAbsoluteError:G4}")]
    public static partial void RegressionPhaseFinished(this ILogger logger, string model, string phase, int epochCount, double seconds, double samplesPerSecond, double loss, double meanAbsoluteError);

    [LoggerMessage(EventId = LogEvents.RegressionPhaseFinishedWithValidation, EventName = nameof(LogEvents.RegressionPhaseFinishedWithValidation), Level = LogLevel.Information,
        Message = "{Model} {Phase}: {EpochCount} epochs in {Seconds:0.0}s ({SamplesPerSecond:0} samples/s), last loss {Loss:0.0000} mae {MeanAbsoluteError:G4} val_loss {ValLoss:0.0000} val_mae {ValMeanAbsoluteError:G4} val_r2 {ValRSquared:0.000}, best val_r2 {BestValRSquared:0.000}")]
    public static partial void RegressionPhaseFinishedWithValidation(this ILogger logger, string model, string phase, int epochCount, double seconds, double samplesPerSecond, double loss, double meanAbsoluteError, double valLoss, double valMeanAbsoluteError, double valRSquared, double bestValRSquared);

    [LoggerMessage(EventId = LogEvents.TrainingFinished, EventName = nameof(LogEvents.TrainingFinished), Level = LogLevel.Information,
        Message = "{Model}: {EpochCount} epochs in {Seconds:0}s; history and curves in {OutputDirectory}, checkpoints {Checkpoints}, report {Report}")]
    public static partial void TrainingFinished(this ILogger logger, string model, int epochCount, double seconds, string outputDirectory, string checkpoints, string report);

    [LoggerMessage(EventId = LogEvents.TrainingInterrupted, EventName = nameof(LogEvents.TrainingInterrupted), Level = LogLevel.Warning,
        Message = "{Model}: training ended before it finished; the history of its {EpochCount} epochs is in {OutputDirectory}")]
    public static partial void TrainingInterrupted(this ILogger logger, string model, int epochCount, string outputDirectory);

    [LoggerMessage(EventId = LogEvents.HistoryNotWritten, EventName = nameof(LogEvents.HistoryNotWritten), Level = LogLevel.Error,
        Message = "{Model}: training ended before it finished, and the history of its {EpochCount} epochs could not be written to {OutputDirectory}")]
    public static partial void HistoryNotWritten(this ILogger logger, Exception exception, string model, int epochCount, string outputDirectory);
}
