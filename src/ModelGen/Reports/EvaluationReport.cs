using Microsoft.Extensions.Logging;
using ModelGen.Data;

namespace ModelGen.Reports;

/// <summary><c>Evaluate</c> with a report: one pass over the images gives both the result and report.html.</summary>
internal static class EvaluationReport
{
    /// <summary>
    /// Scores <paramref name="images"/>, writes the report to <paramref name="reportPath"/> and returns the evaluation.
    /// A report that cannot be written is a warning (<see cref="LogEvents.ReportNotWritten"/>); the result is returned
    /// all the same. With <paramref name="augmentation"/>, the images are scored on its views.
    /// </summary>
    public static EvaluationResult Evaluate(ReportSubject subject, ImageFolder images, int batchSize, string reportPath, ILogger logger, TestTimeAugmentation? augmentation = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var scored = ScoredSet.Of(subject, images, batchSize, augmentation);
        var path = Path.GetFullPath(reportPath);
        if (ReportFile.TryWrite(() => new RunReport(subject, "evaluation", $"images: {images.Name}", scored, null, null, null, clock.Elapsed.TotalSeconds), subject.ModelName, path, logger))
        {
            logger.ReportWritten(subject.ModelName, path);
        }

        return scored.Evaluation;
    }
}
