using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Collects loss, the confusion matrix and (when given) every image's probabilities over batches for an
/// <see cref="EvaluationResult"/>; the probabilities give each class's ROC AUC.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class EvaluationAccumulator
{
    private readonly IReadOnlyList<string> _classes;
    private readonly long[,] _confusion;
    private readonly List<float> _probabilities = [];
    private readonly List<int> _scoredClasses = [];
    private double _lossSum;
    private long _count;

    /// <summary>Starts an evaluation over <paramref name="classes"/>.</summary>
    public EvaluationAccumulator(IReadOnlyList<string> classes)
    {
        _classes = classes;
        _confusion = new long[classes.Count, classes.Count];
    }

    /// <summary>Adds a batch: mean loss, predicted classes and true classes (no ROC AUC without the probabilities).</summary>
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

    /// <summary>Adds a batch: mean loss, predicted classes, the probabilities of every class [N, classes], and true classes.</summary>
    public void Add(Tensor loss, Tensor predicted, Tensor probabilities, Tensor labels)
    {
        Add(loss, predicted, labels);
        using var scores = probabilities.detach().cpu().to_type(ScalarType.Float32).contiguous();
        using var t = labels.cpu().to_type(ScalarType.Int64);
        if (scores.shape.Length != 2 || scores.shape[0] != t.shape[0] || scores.shape[1] != _classes.Count)
        {
            throw new ArgumentException($"Probabilities of shape [{string.Join(", ", scores.shape)}] for {t.shape[0]} images of {_classes.Count} classes.", nameof(probabilities));
        }

        _probabilities.AddRange(scores.data<float>());
        foreach (var label in t.data<long>())
        {
            _scoredClasses.Add((int)label);
        }
    }

    /// <summary>The result, with <paramref name="skipped"/> unreadable images noted.</summary>
    public EvaluationResult ToResult(int skipped)
    {
        // Every batch must have come with its probabilities for the AUC to cover the whole set.
        var rocAuc = _count > 0 && _scoredClasses.Count == _count
            ? RocAuc.OneVsRest(CollectionsMarshal.AsSpan(_probabilities), CollectionsMarshal.AsSpan(_scoredClasses), _classes.Count)
            : null;
        return new EvaluationResult(_classes, _confusion, _count == 0 ? 0 : _lossSum / _count, skipped, rocAuc);
    }
}
