namespace ModelGen;

/// <summary>
/// The area under the ROC curve, exactly: the Mann-Whitney rank statistic with tied scores given their average
/// rank, which is the trapezoidal area scikit-learn's <c>roc_auc_score</c> computes.
/// </summary>
internal static class RocAuc
{
    /// <summary>
    /// The AUC of <paramref name="scores"/> for telling the <paramref name="positive"/> samples from the others;
    /// <see cref="double.NaN"/> when there are no positives or no negatives (the curve is undefined), or a score is NaN.
    /// </summary>
    public static double Of(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positive)
    {
        if (scores.Length != positive.Length)
        {
            throw new ArgumentException($"{scores.Length} scores for {positive.Length} labels.", nameof(positive));
        }

        long positives = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i]))
            {
                return double.NaN;
            }

            positives += positive[i] ? 1 : 0;
        }

        var negatives = scores.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = scores.ToArray();
        Array.Sort(keys, order);

        // Ranks from 1 in ascending score; a run of equal scores shares the mean of its ranks.
        double positiveRankSum = 0;
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            var meanRank = (start + 1 + end) / 2.0;
            for (var k = start; k < end; k++)
            {
                if (positive[order[k]])
                {
                    positiveRankSum += meanRank;
                }
            }

            start = end;
        }

        // U = rank sum of the positives minus its least possible value; AUC = U / (positives · negatives).
        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    /// <summary>
    /// One-vs-rest AUC of each of <paramref name="classCount"/> classes: class c's probability as the score, the
    /// samples of class c as the positives. With two classes both get the AUC of class 1's probability (the
    /// binary AUC, as scikit-learn; class 0's own probability ranks the samples the same way reversed).
    /// </summary>
    /// <param name="probabilities">Row-major [samples, classes].</param>
    /// <param name="trueClasses">Each sample's class index.</param>
    /// <param name="classCount">The number of classes.</param>
    public static double[] OneVsRest(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> trueClasses, int classCount)
    {
        var samples = trueClasses.Length;
        if (probabilities.Length != samples * classCount)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities for {samples} samples of {classCount} classes.", nameof(probabilities));
        }

        var result = new double[classCount];
        var scores = new float[samples];
        var positive = new bool[samples];
        for (var c = 0; c < classCount; c++)
        {
            if (classCount == 2 && c == 0)
            {
                continue; // filled from class 1 below
            }

            for (var i = 0; i < samples; i++)
            {
                scores[i] = probabilities[(i * classCount) + c];
                positive[i] = trueClasses[i] == c;
            }

            result[c] = Of(scores, positive);
        }

        if (classCount == 2)
        {
            result[0] = result[1];
        }

        return result;
    }
}
