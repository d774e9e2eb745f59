namespace ModelGen;

/// <summary>
/// The labels a multi-label model predicts for one image: every label whose probability is at least its threshold
/// (chosen on validation data at the end of training), with every label's probability.
/// </summary>
/// <typeparam name="TLabel">The model's label enum.</typeparam>
/// <param name="Labels">The predicted labels, in output order; empty when no label reaches its threshold.</param>
/// <param name="Probabilities">The probability of each label (its own sigmoid), in output order.</param>
/// <param name="Thresholds">The threshold of each label, in output order.</param>
public sealed record MultiLabelPrediction<TLabel>(IReadOnlyList<TLabel> Labels, IReadOnlyList<float> Probabilities, IReadOnlyList<float> Thresholds)
{
    /// <summary>The prediction for <paramref name="probabilities"/>: the labels at or above their thresholds, mapped by <paramref name="label"/>.</summary>
    public static MultiLabelPrediction<TLabel> From(IReadOnlyList<float> probabilities, IReadOnlyList<float> thresholds, Func<int, TLabel> label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (probabilities.Count != thresholds.Count)
        {
            throw new ArgumentException($"{probabilities.Count} probabilities for {thresholds.Count} thresholds.", nameof(thresholds));
        }

        var labels = Enumerable.Range(0, probabilities.Count).Where(k => probabilities[k] >= thresholds[k]).Select(label).ToList();
        return new MultiLabelPrediction<TLabel>(labels, probabilities, thresholds);
    }

    /// <summary>Whether <paramref name="label"/> is predicted.</summary>
    public bool Contains(TLabel label) => Labels.Contains(label);
}
