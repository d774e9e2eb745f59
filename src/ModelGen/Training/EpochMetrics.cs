using ModelGen.Progress;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>Running loss and accuracy over one epoch's batches; it also moves the progress bar.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class EpochMetrics
{
    private readonly ProgressDisplay? _progress;
    private double _lossSum;
    private long _correct;

    internal EpochMetrics(ProgressDisplay? progress)
    {
        _progress = progress;
    }

    /// <summary>Samples seen.</summary>
    public long Count { get; private set; }

    /// <summary>Mean loss per sample so far.</summary>
    public double Loss => Count == 0 ? 0 : _lossSum / Count;

    /// <summary>Accuracy so far.</summary>
    public double Accuracy => Count == 0 ? 0 : _correct / (double)Count;

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
}
