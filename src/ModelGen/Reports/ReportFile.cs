using System.Text;
using Microsoft.Extensions.Logging;
using ModelGen.Storage;

namespace ModelGen.Reports;

/// <summary>Writes report.html: atomically, and never at the cost of what it reports on.</summary>
internal static class ReportFile
{
    /// <summary>The report's file name in a run's output folder.</summary>
    public const string Name = "report.html";

    /// <summary>
    /// Builds the report and writes it to <paramref name="path"/> (to a temporary file, then renamed into place).
    /// Anything that goes wrong, in scoring the data, drawing or writing, is a warning
    /// (<see cref="LogEvents.ReportNotWritten"/>) and false, never an exception: a report must not lose a training run.
    /// </summary>
    public static bool TryWrite(Func<RunReport> build, string modelName, string path, ILogger logger)
    {
        try
        {
            var html = ReportHtml.Render(build());
            AtomicFile.Write(path, stream => stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(html)));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.ReportNotWritten(e, modelName, path, e.Message);
            return false;
        }
    }
}
