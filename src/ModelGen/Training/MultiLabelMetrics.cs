namespace ModelGen.Training;

/// <summary>
/// The figures of a multi-label model over N images and K labels, from each image's probabilities and true labels
/// ([N, K] row-major) and the per-label thresholds (a label is predicted when its probability is at least its
/// threshold). F1 counts as scikit-learn's <c>f1_score</c> does: 2 TP / (2 TP + FP + FN), and 0 when that is 0 / 0.
/// </summary>
internal static class MultiLabelMetrics
{
    /// <summary>Micro F1: the counts of every label pooled, then F1.</summary>
    public static double MicroF1(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> truth, IReadOnlyList<float> thresholds)
    {
        long tp = 0, fp = 0, fn = 0;
        for (var k = 0; k < thresholds.Count; k++)
        {
            var (t, f, n) = Counts(probabilities, truth, thresholds, k);
            (tp, fp, fn) = (tp + t, fp + f, fn + n);
        }

        return F1(tp, fp, fn);
    }

    /// <summary>Macro F1: each label's F1, then their mean over all labels.</summary>
    public static double MacroF1(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> truth, IReadOnlyList<float> thresholds)
    {
        double sum = 0;
        for (var k = 0; k < thresholds.Count; k++)
        {
            var (tp, fp, fn) = Counts(probabilities, truth, thresholds, k);
            sum += F1(tp, fp, fn);
        }

        return sum / thresholds.Count;
    }

    /// <summary>
    /// Mean average precision: each label's <see cref="AveragePrecision"/> (which needs no threshold), averaged over the
    /// labels that have positives here (a label no image has has no precision-recall curve); NaN when none has.
    /// </summary>
    public static double MeanAveragePrecision(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> truth, int labelCount)
    {
        var count = probabilities.Length / labelCount;
        double sum = 0;
        var counted = 0;
        var scores = new float[count];
        var positive = new bool[count];
        for (var k = 0; k < labelCount; k++)
        {
            for (var i = 0; i < count; i++)
            {
                (scores[i], positive[i]) = (probabilities[i * labelCount + k], truth[i * labelCount + k]);
            }

            var ap = AveragePrecision.Of(scores, positive);
            if (!double.IsNaN(ap))
            {
                (sum, counted) = (sum + ap, counted + 1);
            }
        }

        return counted == 0 ? double.NaN : sum / counted;
    }

    /// <summary>Subset accuracy: the share of images whose predicted label set is exactly their true set.</summary>
    public static double ExactMatch(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> truth, IReadOnlyList<float> thresholds)
    {
        var labels = thresholds.Count;
        var count = probabilities.Length / labels;
        var exact = 0;
        for (var i = 0; i < count; i++)
        {
            var same = true;
            for (var k = 0; k < labels && same; k++)
            {
                same = probabilities[i * labels + k] >= thresholds[k] == truth[i * labels + k];
            }

            exact += same ? 1 : 0;
        }

        return count == 0 ? double.NaN : (double)exact / count;
    }

    /// <summary>2 TP / (2 TP + FP + FN), 0 when nothing was true or predicted.</summary>
    public static double F1(long truePositives, long falsePositives, long falseNegatives)
    {
        var denominator = 2 * truePositives + falsePositives + falseNegatives;
        return denominator == 0 ? 0 : 2.0 * truePositives / denominator;
    }

    private static (long TruePositives, long FalsePositives, long FalseNegatives) Counts(ReadOnlySpan<float> probabilities, ReadOnlySpan<bool> truth, IReadOnlyList<float> thresholds, int k)
    {
        var labels = thresholds.Count;
        long tp = 0, fp = 0, fn = 0;
        for (var i = k; i < probabilities.Length; i += labels)
        {
            var predicted = probabilities[i] >= thresholds[k];
            tp += predicted && truth[i] ? 1 : 0;
            fp += predicted && !truth[i] ? 1 : 0;
            fn += !predicted && truth[i] ? 1 : 0;
        }

        return (tp, fp, fn);
    }
}
