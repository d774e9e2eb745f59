using Microsoft.Extensions.Logging;

namespace ModelGen.Weights;

/// <summary>The messages of weights loading on the model's logger.</summary>
internal static partial class WeightsLog
{
    /// <summary>
    /// Tensors of a weights file that belong to no layer of the backbone's network. A whole network's weights
    /// loading into a backbone cut earlier is the normal case: its classifier and the layers beyond the cut
    /// are not reported. Unknown tensors never fail the load (the missing and mis-shaped ones do).
    /// </summary>
    public static void UnusedWeights(this ILogger logger, string weightsPath, IReadOnlyList<string> unused)
    {
        if (unused.Count > 0)
        {
            var names = string.Join(", ", unused.Take(5)) + (unused.Count > 5 ? $", and {unused.Count - 5} more" : "");
            logger.UnusedWeights(unused.Count, weightsPath, names);
        }
    }

    [LoggerMessage(EventId = LogEvents.UnusedWeights, EventName = nameof(LogEvents.UnusedWeights), Level = LogLevel.Warning,
        Message = "{Count} tensor(s) of {WeightsPath} belong to no layer of the backbone's network and were ignored ({TensorNames}); check that the file holds the weights of this architecture")]
    private static partial void UnusedWeights(this ILogger logger, int count, string weightsPath, string tensorNames);
}
