namespace ModelGen.Reports;

/// <summary>
/// Everything one report.html shows: the model, what was done (a training run or an evaluation) and how the model
/// scored the data it was checked on.
/// </summary>
/// <param name="Subject">The model.</param>
/// <param name="Kind">What the report is of: "training run" or "evaluation".</param>
/// <param name="DataName">The data the model was scored on, for the reader ("validation: data/val").</param>
/// <param name="Scored">How the model scored that data; null when there was none.</param>
/// <param name="NoDataReason">Why there is nothing scored (no validation data); shown instead of those sections.</param>
/// <param name="History">The epochs of a training run; null for an evaluation.</param>
/// <param name="CurvesPng">The training curves as a PNG; null without epochs.</param>
/// <param name="Seconds">The wall time of the run or evaluation.</param>
internal sealed record RunReport(
    ReportSubject Subject,
    string Kind,
    string DataName,
    ScoredSet? Scored,
    string? NoDataReason,
    TrainingHistory? History,
    byte[]? CurvesPng,
    double Seconds)
{
    /// <summary>How many of the highest-loss samples are shown.</summary>
    public const int TopLossCount = 12;

    /// <summary>How many images of each class get a Grad-CAM overlay.</summary>
    public const int GradCamPerClass = 2;

    /// <summary>The most Grad-CAM overlays in one report (each is a backward pass; a model may have many classes).</summary>
    public const int GradCamLimit = 24;

    /// <summary>Up to this many classes the confusion matrix is drawn whole; above, its largest confusions are listed.</summary>
    public const int ConfusionMatrixLimit = 40;

    /// <summary>When the report was made (local time, with its offset).</summary>
    public DateTimeOffset Written { get; init; } = DateTimeOffset.Now;
}
