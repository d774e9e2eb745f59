using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Collects the loss and each target's errors over batches of a regression evaluation (<c>task: regression</c>):
/// MAE, RMSE and R² per target and their uniform averages, without keeping the predictions (see
/// <see cref="RegressionErrors"/> for how).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class RegressionAccumulator
{
    private readonly RegressionErrors _errors;

    /// <summary>Starts an evaluation of the targets <paramref name="targets"/>, in output order.</summary>
    public RegressionAccumulator(IReadOnlyList<string> targets)
    {
        _errors = new RegressionErrors(targets);
    }

    /// <summary>Images added so far.</summary>
    public long Count => _errors.Count;

    /// <summary>Mean loss per image so far (0 before the first batch).</summary>
    public double Loss => _errors.Loss;

    /// <summary>Adds a batch: its mean loss, the predictions [N, T] and the true values [N, T].</summary>
    public void Add(Tensor loss, Tensor predictions, Tensor targets) => _errors.Add(loss, predictions, targets);

    /// <summary>Each target's MAE, RMSE and R² so far, in output order (NaN before the first batch).</summary>
    public IReadOnlyList<TargetMetrics> PerTarget() => _errors.PerTarget();

    /// <summary>The result, with <paramref name="skipped"/> unreadable images noted.</summary>
    public EvaluationResult ToResult(int skipped) => _errors.ToResult(skipped);
}
