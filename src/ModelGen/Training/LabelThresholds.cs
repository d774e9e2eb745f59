namespace ModelGen.Training;

/// <summary>
/// The per-label thresholds of a multi-label model, chosen on validation data at the end of training: for each label,
/// among its validation probabilities t, the one whose rule "predicted when p ≥ t" gives the highest F1 on that label
/// (the higher t on a tie: fewer false alarms for the same F1). A label without validation data, or that no validation
/// image has, keeps <see cref="Default"/>.
/// </summary>
internal static class LabelThresholds
{
    /// <summary>The threshold without validation data: a probability of one half.</summary>
    public const float Default = 0.5f;

    /// <summary>Every label at <see cref="Default"/>.</summary>
    public static float[] Defaults(int labelCount) => Enumerable.Repeat(Default, labelCount).ToArray();

    /// <summary>The thresholds that maximise each label's F1 on <paramref name="probabilities"/> ([N, K] row-major) against <paramref name="truth"/>.</summary>
    public static float[] Choose(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> truth, int labelCount)
    {
        var count = probabilities.Length / labelCount;
        var thresholds = Defaults(labelCount);
        var scores = new float[count];
        var positive = new bool[count];
        for (var k = 0; k < labelCount; k++)
        {
            var positives = 0;
            for (var i = 0; i < count; i++)
            {
                (scores[i], positive[i]) = (probabilities[i * labelCount + k], truth[i * labelCount + k]);
                positives += positive[i] ? 1 : 0;
            }

            if (positives > 0)
            {
                thresholds[k] = Best(scores, positive, positives);
            }
        }

        return thresholds;
    }

    // From the highest score down, each distinct score as the threshold: its F1 from the running counts.
    private static float Best(float[] scores, bool[] positive, int positives)
    {
        var keys = (float[])scores.Clone();
        var hits = (bool[])positive.Clone();
        Array.Sort(keys, hits);
        var (best, bestF1) = (Default, -1.0);
        long tp = 0, fp = 0;
        for (var end = keys.Length; end > 0;)
        {
            var start = end - 1;
            while (start > 0 && keys[start - 1] == keys[end - 1])
            {
                start--;
            }

            for (var i = start; i < end; i++)
            {
                (tp, fp) = hits[i] ? (tp + 1, fp) : (tp, fp + 1);
            }

            var f1 = MultiLabelMetrics.F1(tp, fp, positives - tp);
            if (f1 > bestF1 && !float.IsNaN(keys[start]))
            {
                (best, bestF1) = (keys[start], f1);
            }

            end = start;
        }

        return best;
    }
}
