using System.Globalization;

namespace ModelGen.Training;

/// <summary>
/// How the training loss weighs each class (spec key: <c>training.class_weights</c>): <see cref="Balanced"/>,
/// or an explicit weight per label. A class's weight multiplies the loss of each of its training images; the
/// batch loss is the weighted mean (divided by the sum of the weights of the batch's images, as PyTorch's
/// <c>cross_entropy(weight: ...)</c> divides), so weights change the balance between classes, not the scale
/// of the learning rate. Validation and test losses are not weighted.
/// </summary>
public sealed class ClassWeighting
{
    private readonly IReadOnlyDictionary<string, double>? _weights;

    private ClassWeighting(IReadOnlyDictionary<string, double>? weights) => _weights = weights;

    /// <summary>
    /// Each class weighs <c>N / (K · n_c)</c> for N training images, K classes and n_c images of the class
    /// (scikit-learn's and Keras' "balanced"), so every class contributes alike; a class without training
    /// images weighs 0 (it has no loss to weigh).
    /// </summary>
    public static ClassWeighting Balanced { get; } = new(null);

    /// <summary>Whether the weights come from the class counts.</summary>
    public bool IsBalanced => _weights is null;

    /// <summary>An explicit weight per class name; classes left out weigh 1.</summary>
    /// <exception cref="ArgumentException">A weight is not a positive finite number.</exception>
    public static ClassWeighting Explicit(IReadOnlyDictionary<string, double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        foreach (var (name, weight) in weights)
        {
            if (!double.IsFinite(weight) || weight <= 0)
            {
                throw new ArgumentException($"The class weight of '{name}' is {weight.ToString(CultureInfo.InvariantCulture)}; a weight must be a positive number.", nameof(weights));
            }
        }

        return new ClassWeighting(new Dictionary<string, double>(weights, StringComparer.Ordinal));
    }

    /// <summary>An explicit weight per class name, as (class, weight) pairs; classes left out weigh 1.</summary>
    /// <exception cref="ArgumentException">A weight is not a positive finite number, or a class is named twice.</exception>
    public static ClassWeighting Explicit(params (string Class, double Weight)[] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, weight) in weights)
        {
            if (!map.TryAdd(name, weight))
            {
                throw new ArgumentException($"The class '{name}' is given a weight twice.", nameof(weights));
            }
        }

        return Explicit(map);
    }

    /// <summary>The weight of every class, in the order of <paramref name="classes"/>.</summary>
    /// <param name="classes">The model's classes.</param>
    /// <param name="counts">How many training images each class has (same order).</param>
    /// <exception cref="ArgumentException">An explicit weight names a class the model does not have.</exception>
    public double[] WeightsFor(IReadOnlyList<string> classes, IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count != classes.Count)
        {
            throw new ArgumentException($"{counts.Count} class counts for {classes.Count} classes.", nameof(counts));
        }

        if (_weights is null)
        {
            var total = counts.Sum();
            return counts.Select(n => n == 0 ? 0 : total / ((double)classes.Count * n)).ToArray();
        }

        var unknown = _weights.Keys.Where(name => !classes.Contains(name, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"training.class_weights names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which {(unknown.Count == 1 ? "is not a class" : "are not classes")} of the training data; the classes are {string.Join(", ", classes)}.",
                nameof(classes));
        }

        return classes.Select(name => _weights.TryGetValue(name, out var weight) ? weight : 1.0).ToArray();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        _weights is null ? "balanced" : string.Join(", ", _weights.Select(kv => $"{kv.Key}: {kv.Value.ToString(CultureInfo.InvariantCulture)}"));
}
