namespace ModelGen;

/// <summary>
/// Average precision as scikit-learn's <c>average_precision_score</c> computes it: the sum over the distinct scores,
/// from the highest, of (R_n - R_{n-1}) P_n, where P_n and R_n are the precision and recall of calling positive every
/// sample scored at least the n-th distinct score (tied scores enter together; no interpolation).
/// </summary>
internal static class AveragePrecision
{
    /// <summary>The AP of <paramref name="scores"/> for finding the <paramref name="positive"/> samples; NaN without positives or with a NaN score.</summary>
    public static double Of(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive)
    {
        if (scores.Length != positive.Length)
        {
            throw new ArgumentException($"{scores.Length} scores for {positive.Length} labels.", nameof(positive));
        }

        var positives = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i]))
            {
                return double.NaN;
            }

            positives += positive[i] ? 1 : 0;
        }

        if (positives == 0)
        {
            return double.NaN;
        }

        var keys = scores.ToArray();
        var hits = positive.ToArray();
        Array.Sort(keys, hits);
        double sum = 0, recallBefore = 0;
        int truePositives = 0, called = 0;
        for (var end = keys.Length; end > 0;)
        {
            // The run of samples sharing the next lower score enters at once.
            var start = end - 1;
            while (start > 0 && keys[start - 1] == keys[end - 1])
            {
                start--;
            }

            for (var i = start; i < end; i++)
            {
                truePositives += hits[i] ? 1 : 0;
            }

            called += end - start;
            var recall = (double)truePositives / positives;
            sum += (recall - recallBefore) * truePositives / called;
            recallBefore = recall;
            end = start;
        }

        return sum;
    }
}
