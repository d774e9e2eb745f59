using Microsoft.Extensions.Logging;

namespace ModelGen.Reports;

/// <summary>The messages of run reports.</summary>
internal static partial class ReportLog
{
    [LoggerMessage(EventId = LogEvents.ReportWritten, EventName = nameof(LogEvents.ReportWritten), Level = LogLevel.Information,
        Message = "{Model}: report written to {Path}")]
    public static partial void ReportWritten(this ILogger logger, string model, string path);

    [LoggerMessage(EventId = LogEvents.ReportNotWritten, EventName = nameof(LogEvents.ReportNotWritten), Level = LogLevel.Warning,
        Message = "{Model}: the report could not be written to {Path} ({Problem}); the model and its other results are not affected")]
    public static partial void ReportNotWritten(this ILogger logger, Exception exception, string model, string path, string problem);
}
