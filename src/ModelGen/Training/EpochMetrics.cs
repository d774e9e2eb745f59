using ModelGen.Progress;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Running loss and accuracy over one epoch's batches (for <c>task: regression</c>, loss and the mean absolute error);
/// it also moves the progress bar.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class EpochMetrics
{
    private readonly ProgressDisplay? _progress;
    private double _lossSum;
    private long _correct;
    private double _absoluteErrorSum;
    private long _values;

    internal EpochMetrics(ProgressDisplay? progress)
    {
        _progress = progress;
    }

    /// <summary>Samples seen.</summary>
    public long Count { get; private set; }

    /// <summary>Mean loss per sample so far.</summary>
    public double Loss => Count == 0 ? 0 : _lossSum / Count;

    /// <summary>Accuracy so far; <see cref="double.NaN"/> for a regression model, which has none.</summary>
    public double Accuracy => IsRegression ? double.NaN : Count == 0 ? 0 : _correct / (double)Count;

    /// <summary>
    /// A regression model's mean absolute error so far, over every image and target (the mean of the targets' MAEs);
    /// null for a classifier.
    /// </summary>
    public double? MeanAbsoluteError => IsRegression ? _absoluteErrorSum / _values : null;

    private bool IsRegression => _values > 0;

    /// <summary>Adds a batch: its mean loss, the predicted classes and the true ones.</summary>
    public void Add(Tensor loss, Tensor predicted, Tensor labels)
    {
        var n = labels.shape[0];
        _lossSum += loss.item<float>() * n;
        using var equal = predicted.eq(labels);
        using var sum = equal.sum();
        _correct += sum.item<long>();
        Count += n;
        _progress?.Advance(n, $"loss {Loss:0.0000} acc {Accuracy:0.0000}");
    }

    /// <summary>Adds a batch of a regression model: its mean loss, the predictions [N, T] and the true values [N, T].</summary>
    public void AddRegression(Tensor loss, Tensor predictions, Tensor targets)
    {
        var n = targets.shape[0];
        _lossSum += loss.item<float>() * n;
        using var errors = predictions.detach().to_type(ScalarType.Float64) - targets.to_type(ScalarType.Float64);
        using var absolute = errors.abs();
        using var sum = absolute.sum();
        _absoluteErrorSum += sum.item<double>();
        _values += errors.numel();
        Count += n;
        _progress?.Advance(n, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {Loss:0.0000} mae {MeanAbsoluteError:G4}"));
    }
}
