using Microsoft.Extensions.Logging;

namespace ModelGen;

/// <summary>
/// Choices for one call of a generated <c>FindLearningRate</c> (the learning-rate range test): the range, the number of
/// steps, the smoothing and when the loss counts as diverged; the defaults are fastai's <c>lr_find</c>.
/// </summary>
public sealed record LearningRateFinderOptions
{
    /// <summary>The learning rate of the first step; default 1e-7.</summary>
    public double StartLearningRate { get; init; } = 1e-7;

    /// <summary>The learning rate of the last step; default 10.</summary>
    public double EndLearningRate { get; init; } = 10;

    /// <summary>
    /// Training steps (batches) from <see cref="StartLearningRate"/> to <see cref="EndLearningRate"/>; default 100.
    /// Step i (from 0) runs at start · (end / start)^(i / (steps − 1)); the batches go round the training data as often
    /// as the steps need.
    /// </summary>
    public int Steps { get; init; } = 100;

    /// <summary>
    /// β of the loss's exponential moving average, bias-corrected as fastai's: a_i = β a_(i−1) + (1 − β) loss_i,
    /// smoothed_i = a_i / (1 − β^(i+1)); default 0.98. 0 leaves the loss unsmoothed.
    /// </summary>
    public double Smoothing { get; init; } = 0.98;

    /// <summary>
    /// The test stops early once the smoothed loss exceeds this many times its lowest value so far (the loss has
    /// diverged; later steps would say nothing); default 4. <see cref="double.PositiveInfinity"/> runs every step.
    /// </summary>
    public double DivergenceFactor { get; init; } = 4;

    /// <summary>
    /// Where the plot (<c>lr-finder.png</c>) is written; default <c>training/&lt;Model&gt;</c>, the folder
    /// <c>Train</c> writes to.
    /// </summary>
    public string? OutputDirectory { get; init; }

    /// <summary>How progress is shown; default <see cref="ProgressMode.Auto"/>. <see cref="ProgressMode.None"/> also leaves out the closing line.</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>Where this call's messages go, instead of the model's <see cref="ModelOptions.Logger"/>; null (the default) uses the model's.</summary>
    public ILogger? Logger { get; init; }
}
