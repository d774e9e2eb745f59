using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>Collects loss and the confusion matrix over batches for an <see cref="EvaluationResult"/>.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class EvaluationAccumulator
{
    private readonly IReadOnlyList<string> _classes;
    private readonly long[,] _confusion;
    private double _lossSum;
    private long _count;

    /// <summary>Starts an evaluation over <paramref name="classes"/>.</summary>
    public EvaluationAccumulator(IReadOnlyList<string> classes)
    {
        _classes = classes;
        _confusion = new long[classes.Count, classes.Count];
    }

    /// <summary>Adds a batch: mean loss, predicted classes and true classes.</summary>
    public void Add(Tensor loss, Tensor predicted, Tensor labels)
    {
        var n = labels.shape[0];
        _lossSum += loss.item<float>() * n;
        _count += n;
        using var p = predicted.cpu().to_type(ScalarType.Int64);
        using var t = labels.cpu().to_type(ScalarType.Int64);
        var predictedValues = p.data<long>().ToArray();
        var trueValues = t.data<long>().ToArray();
        for (var i = 0; i < trueValues.Length; i++)
        {
            _confusion[trueValues[i], predictedValues[i]]++;
        }
    }

    /// <summary>The result, with <paramref name="skipped"/> unreadable images noted.</summary>
    public EvaluationResult ToResult(int skipped) => new(_classes, _confusion, _count == 0 ? 0 : _lossSum / _count, skipped);
}
