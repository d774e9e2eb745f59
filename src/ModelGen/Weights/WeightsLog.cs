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

    [LoggerMessage(EventId = LogEvents.WeightsDownloadStarted, EventName = nameof(LogEvents.WeightsDownloadStarted), Level = LogLevel.Information,
        Message = "Downloading {Url} ({TotalBytes} bytes) into {PartialPath}, resuming from byte {ResumedFrom}")]
    public static partial void WeightsDownloadStarted(this ILogger logger, string url, string partialPath, long totalBytes, long resumedFrom);

    [LoggerMessage(EventId = LogEvents.WeightsDownloaded, EventName = nameof(LogEvents.WeightsDownloaded), Level = LogLevel.Information,
        Message = "Downloaded {Url} to {WeightsPath} ({Bytes} bytes in {Seconds:0.0} s); its SHA-256 is {Sha256}")]
    public static partial void WeightsDownloaded(this ILogger logger, string url, string weightsPath, long bytes, double seconds, string sha256);

    [LoggerMessage(EventId = LogEvents.WeightsNotPinned, EventName = nameof(LogEvents.WeightsNotPinned), Level = LogLevel.Warning,
        Message = "{Reference} was downloaded without backbone.weights_sha256, so nothing checks its bytes; its SHA-256 is {Sha256}: write weights_sha256: {Sha256} in the spec to pin it")]
    public static partial void WeightsNotPinned(this ILogger logger, string reference, string sha256);

    [LoggerMessage(EventId = LogEvents.WeightsDownloadRetrying, EventName = nameof(LogEvents.WeightsDownloadRetrying), Level = LogLevel.Warning,
        Message = "Downloading {Url} failed ({Reason}); attempt {Attempt} in {DelaySeconds:0.0} s")]
    public static partial void DownloadRetrying(this ILogger logger, string url, int attempt, double delaySeconds, string reason);

    [LoggerMessage(EventId = LogEvents.WaitingForWeightsDownload, EventName = nameof(LogEvents.WaitingForWeightsDownload), Level = LogLevel.Information,
        Message = "Waiting for {Holder}, which is downloading {Url} (lock {LockPath})")]
    public static partial void WaitingForDownload(this ILogger logger, string url, string lockPath, string holder);
}
