using Microsoft.Extensions.Logging;

namespace ModelGen.Progress;

/// <summary>The messages of long work on the caller's logger, when progress is shown as plain lines.</summary>
internal static partial class ProgressLog
{
    [LoggerMessage(EventId = LogEvents.Progress, EventName = nameof(LogEvents.Progress), Level = LogLevel.Information,
        Message = "{Title}: {Done}/{Total} {Unit}, {Rate:0.0}/s {Status}")]
    public static partial void ProgressLine(this ILogger logger, string title, long done, long total, string unit, double rate, string status);
}
