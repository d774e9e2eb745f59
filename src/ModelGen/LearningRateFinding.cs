namespace ModelGen;

/// <summary>One step of the learning-rate range test.</summary>
/// <param name="Step">The step, from 1.</param>
/// <param name="LearningRate">The learning rate of the step (the head's, with <c>backbone_lr</c>).</param>
/// <param name="Loss">The training loss of the step's batch, before the step's update.</param>
/// <param name="SmoothedLoss">The loss's bias-corrected exponential moving average up to this step.</param>
public sealed record LearningRateStep(int Step, double LearningRate, double Loss, double SmoothedLoss);

/// <summary>
/// What a generated <c>FindLearningRate</c> found: the loss at every step of the range test, a suggested learning
/// rate and the rule that chose it, and where the plot is.
/// </summary>
public sealed class LearningRateFinding
{
    private const string SteepestDescentRule =
        "steepest descent of the smoothed loss: the learning rate at the start of the step where the smoothed loss falls fastest "
        + "against log(lr), leaving out the first tenth of the planned steps and the last 5 steps run (fastai's 'steep')";

    /// <summary>Creates a finding.</summary>
    /// <param name="steps">The steps run, in order.</param>
    /// <param name="suggestedLearningRate">The suggestion; null when the smoothed loss never fell.</param>
    /// <param name="stoppedEarly">Whether the test stopped before its last step because the loss diverged.</param>
    /// <param name="plotPath">The plot's path; null when none was written.</param>
    public LearningRateFinding(IReadOnlyList<LearningRateStep> steps, double? suggestedLearningRate, bool stoppedEarly, string? plotPath)
    {
        ArgumentNullException.ThrowIfNull(steps);
        Steps = steps.ToArray();
        SuggestedLearningRate = suggestedLearningRate;
        StoppedEarly = stoppedEarly;
        PlotPath = plotPath;
    }

    /// <summary>Every step run, in order of rising learning rate.</summary>
    public IReadOnlyList<LearningRateStep> Steps { get; }

    /// <summary>
    /// The suggested learning rate (see <see cref="SuggestionRule"/>): where the loss falls fastest, a rate that trains
    /// quickly and is still well below the one where training diverges; null when the smoothed loss never fell.
    /// </summary>
    public double? SuggestedLearningRate { get; }

    /// <summary>
    /// How <see cref="SuggestedLearningRate"/> was chosen, in words: the steepest descent of the smoothed loss (fastai's
    /// 'steep'), the learning rate at the start of the step where the smoothed loss falls fastest against log(lr),
    /// leaving out the first tenth of the planned steps and the last 5 steps run.
    /// </summary>
    public string SuggestionRule => SteepestDescentRule;

    /// <summary>The step with the lowest smoothed loss (training diverges at rates some way above its rate); null without steps.</summary>
    public LearningRateStep? Minimum => Steps.Count == 0 ? null : Steps.MinBy(s => s.SmoothedLoss);

    /// <summary>Whether the test stopped before its last step because the smoothed loss diverged (or was not a number).</summary>
    public bool StoppedEarly { get; }

    /// <summary>The plot (loss and smoothed loss against the learning rate on a log scale, the suggestion marked); null when none was written.</summary>
    public string? PlotPath { get; }
}
