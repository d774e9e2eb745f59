using Microsoft.Extensions.Logging;

namespace ModelGen.Training;

/// <summary>The messages of the learning-rate finder on its logger.</summary>
internal static partial class LearningRateFinderLog
{
    [LoggerMessage(EventId = LogEvents.LearningRateFinderStarted, EventName = nameof(LogEvents.LearningRateFinderStarted), Level = LogLevel.Information,
        Message = "{Model}: learning-rate finder, {Steps} steps from lr {StartLearningRate:G3} to {EndLearningRate:G3} (stops when the smoothed loss exceeds {DivergenceFactor} times its minimum); the model is put back as it was afterwards")]
    public static partial void LearningRateFinderStarted(this ILogger logger, string model, int steps, double startLearningRate, double endLearningRate, double divergenceFactor);

    [LoggerMessage(EventId = LogEvents.LearningRateFinderStep, EventName = nameof(LogEvents.LearningRateFinderStep), Level = LogLevel.Debug,
        Message = "{Model} learning-rate finder step {Step}/{Steps}: lr {LearningRate:G3} loss {Loss:0.0000} smoothed {SmoothedLoss:0.0000}")]
    public static partial void LearningRateFinderStep(this ILogger logger, string model, int step, int steps, double learningRate, double loss, double smoothedLoss);

    [LoggerMessage(EventId = LogEvents.LearningRateFinderStoppedEarly, EventName = nameof(LogEvents.LearningRateFinderStoppedEarly), Level = LogLevel.Information,
        Message = "{Model}: learning-rate finder stopped at step {Step} (lr {LearningRate:G3}): the loss diverged, smoothed {SmoothedLoss:0.0000} against {DivergenceFactor} times its minimum {MinimumLoss:0.0000} (a loss that is not a number is not recorded)")]
    public static partial void LearningRateFinderStoppedEarly(this ILogger logger, string model, int step, double learningRate, double smoothedLoss, double divergenceFactor, double minimumLoss);

    [LoggerMessage(EventId = LogEvents.LearningRateFinderFinished, EventName = nameof(LogEvents.LearningRateFinderFinished), Level = LogLevel.Information,
        Message = "{Model}: learning-rate finder ran {StepCount} steps in {Seconds:0.0}s: suggested lr {SuggestedLearningRate:G3} (steepest descent of the smoothed loss); lowest smoothed loss {MinimumLoss:0.0000} at lr {MinimumLearningRate:G3}; plot {PlotPath}")]
    public static partial void LearningRateFinderFinished(this ILogger logger, string model, int stepCount, double seconds, double suggestedLearningRate, double minimumLoss, double minimumLearningRate, string plotPath);

    [LoggerMessage(EventId = LogEvents.LearningRateFinderNoSuggestion, EventName = nameof(LogEvents.LearningRateFinderNoSuggestion), Level = LogLevel.Warning,
        Message = "{Model}: the learning-rate finder's smoothed loss never fell over {StepCount} steps from lr {StartLearningRate:G3} to {LastLearningRate:G3}, so it suggests no learning rate; try a lower start, more steps, or look at the plot {PlotPath}")]
    public static partial void LearningRateFinderNoSuggestion(this ILogger logger, string model, int stepCount, double startLearningRate, double lastLearningRate, string plotPath);
}
