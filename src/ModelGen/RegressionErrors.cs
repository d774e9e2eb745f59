using static TorchSharp.torch;

namespace ModelGen;

/// <summary>
/// Each target's errors over batches of a regression evaluation: MAE, RMSE and R² per target, without keeping the
/// predictions. Sums are in double; the mean of the true values, which R² needs, is updated as each value arrives
/// (Welford), so the sum of squares about it stays exact where a sum of squares minus a squared sum would cancel.
/// Used by the training's evaluation and by the report, as <see cref="RocAuc"/> is.
/// </summary>
internal sealed class RegressionErrors
{
    private readonly IReadOnlyList<string> _targets;
    private readonly double[] _absoluteErrors;
    private readonly double[] _squaredErrors;
    private readonly double[] _means;
    private readonly double[] _squaresAboutMean;
    private double _lossSum;

    public RegressionErrors(IReadOnlyList<string> targets)
    {
        if (targets.Count == 0)
        {
            throw new ArgumentException("A regression evaluation needs at least one target.", nameof(targets));
        }

        _targets = targets.ToArray();
        _absoluteErrors = new double[targets.Count];
        _squaredErrors = new double[targets.Count];
        _means = new double[targets.Count];
        _squaresAboutMean = new double[targets.Count];
    }

    public long Count { get; private set; }

    public double Loss => Count == 0 ? 0 : _lossSum / Count;

    /// <summary>Adds a batch: its mean loss, the predictions [N, T] and the true values [N, T].</summary>
    public void Add(Tensor loss, Tensor predictions, Tensor targets)
    {
        using var predicted = predictions.detach().cpu().to_type(ScalarType.Float64).contiguous();
        using var actual = targets.detach().cpu().to_type(ScalarType.Float64).contiguous();
        if (predicted.dim() != 2 || predicted.shape[1] != _targets.Count || !predicted.shape.SequenceEqual(actual.shape))
        {
            throw new ArgumentException(
                $"Predictions [{string.Join(", ", predicted.shape)}] and true values [{string.Join(", ", actual.shape)}] for {_targets.Count} targets; both must be [images, {_targets.Count}].",
                nameof(predictions));
        }

        var n = predicted.shape[0];
        _lossSum += loss.item<float>() * n;
        var p = predicted.data<double>().ToArray();
        var y = actual.data<double>().ToArray();
        var columns = _targets.Count;
        for (long row = 0; row < n; row++)
        {
            var seen = Count + row + 1;
            for (var t = 0; t < columns; t++)
            {
                var value = y[(row * columns) + t];
                var error = p[(row * columns) + t] - value;
                _absoluteErrors[t] += Math.Abs(error);
                _squaredErrors[t] += error * error;
                var delta = value - _means[t];
                _means[t] += delta / seen;
                _squaresAboutMean[t] += delta * (value - _means[t]);
            }
        }

        Count += n;
    }

    /// <summary>Each target's MAE, RMSE and R² so far, in output order (NaN before the first batch).</summary>
    public IReadOnlyList<TargetMetrics> PerTarget() =>
        Enumerable.Range(0, _targets.Count).Select(t => new TargetMetrics(
            _targets[t],
            Count == 0 ? double.NaN : _absoluteErrors[t] / Count,
            Count == 0 ? double.NaN : Math.Sqrt(_squaredErrors[t] / Count),
            Count == 0 ? double.NaN : RSquared(_squaredErrors[t], _squaresAboutMean[t]))).ToArray();

    /// <summary>The result, with <paramref name="skipped"/> unreadable images noted.</summary>
    public EvaluationResult ToResult(int skipped) => new(PerTarget(), Count, Loss, skipped);

    /// <summary>
    /// R² from the residual sum of squares and the sum of squares about the mean, as scikit-learn's <c>r2_score</c>
    /// with <c>force_finite=True</c>: a constant target (no spread) scores 1 when predicted exactly, else 0.
    /// </summary>
    internal static double RSquared(double residualSquares, double squaresAboutMean) =>
        squaresAboutMean != 0 ? 1 - (residualSquares / squaresAboutMean)
        : residualSquares == 0 ? 1
        : 0;
}
