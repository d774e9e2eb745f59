using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The evaluation numbers that <see cref="EvaluationAccumulator"/> collects over batches: confusion
/// matrix, loss, accuracy and per-class precision and recall, against values worked out by hand.
/// </summary>
public sealed class EvaluationMetricsTests
{
    [Fact]
    public void TwoBatches_GiveTheHandComputedConfusionMatrixAndMetrics()
    {
        // (true, predicted): (a,a)×3 (a,b)×1 (b,b)×2 (b,c)×2 (c,c)×1 (c,a)×1; class d never occurs.
        var result = Accumulate(
            (Loss: 0.5f, Predicted: [0, 1, 1, 2], Labels: [0, 0, 1, 2]),
            (Loss: 1.0f, Predicted: [0, 0, 2, 2, 1, 0], Labels: [0, 0, 1, 1, 1, 2]));

        long[,] expected =
        {
            { 3, 1, 0, 0 },
            { 0, 2, 2, 0 },
            { 1, 0, 1, 0 },
            { 0, 0, 0, 0 },
        };
        Assert.Equal(expected, result.ConfusionMatrix);
        Assert.Equal(10, result.Count);
        Assert.Equal(6, result.Correct);
        Assert.Equal(0.6, result.Accuracy, 12);

        // The loss is per image: batch means weighted by batch size, (0.5·4 + 1.0·6) / 10.
        Assert.Equal(0.8, result.Loss, 6);

        // Precision = diagonal / column sum; recall = diagonal / row sum; 0 for a class never predicted or seen.
        Assert.Equal(3 / 4.0, result.Precision(0), 12);
        Assert.Equal(2 / 3.0, result.Precision(1), 12);
        Assert.Equal(1 / 3.0, result.Precision(2), 12);
        Assert.Equal(0, result.Precision(3));
        Assert.Equal(3 / 4.0, result.Recall(0), 12);
        Assert.Equal(2 / 4.0, result.Recall(1), 12);
        Assert.Equal(1 / 2.0, result.Recall(2), 12);
        Assert.Equal(0, result.Recall(3));
        Assert.Equal(((3 / 4.0) + (2 / 3.0) + (1 / 3.0)) / 4, result.MacroPrecision, 12);
        Assert.Equal(((3 / 4.0) + (2 / 4.0) + (1 / 2.0)) / 4, result.MacroRecall, 12);
    }

    [Fact]
    public void Table_ShowsTheCountsAndEachClassesPrecisionRecallAndF1()
    {
        var result = Accumulate(
            (Loss: 0.5f, Predicted: [0, 1, 1, 2], Labels: [0, 0, 1, 2]),
            (Loss: 1.0f, Predicted: [0, 0, 2, 2, 1, 0], Labels: [0, 0, 1, 1, 1, 2]));

        var rows = result.ToTable().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("accuracy 0.6000  loss 0.8000  images 10", rows[0], StringComparison.Ordinal);
        // F1 = 2PR / (P + R); no probabilities were given, so no ROC AUC.
        Assert.Equal(new[] { "a 3 1 0 0 0.750 0.750 0.750 n/a", "b 0 2 2 0 0.667 0.500 0.571 n/a", "c 1 0 1 0 0.333 0.500 0.400 n/a", "d 0 0 0 0 0.000 0.000 0.000 n/a" }, rows[2..6].Select(Words));
        Assert.StartsWith("macro average", rows[6], StringComparison.Ordinal);
    }

    [Fact]
    public void Int32Predictions_AreCountedLikeInt64Ones_AndSkippedImagesAreKept()
    {
        var accumulator = new EvaluationAccumulator(["a", "b"]);
        using var loss = tensor(0.25f);
        using var predicted = tensor(new[] { 1, 1, 0 });
        using var labels = tensor(new long[] { 1, 0, 0 });

        accumulator.Add(loss, predicted, labels);
        var result = accumulator.ToResult(skipped: 2);

        Assert.Equal(new long[,] { { 1, 1 }, { 0, 1 } }, result.ConfusionMatrix);
        Assert.Equal(2, result.Skipped);
        Assert.Equal(0.5, result.Precision(1), 12);
    }

    private static EvaluationResult Accumulate(params (float Loss, long[] Predicted, long[] Labels)[] batches)
    {
        var accumulator = new EvaluationAccumulator(["a", "b", "c", "d"]);
        foreach (var (meanLoss, predictedValues, labelValues) in batches)
        {
            using var loss = tensor(meanLoss);
            using var predicted = tensor(predictedValues);
            using var labels = tensor(labelValues);
            accumulator.Add(loss, predicted, labels);
        }

        return accumulator.ToResult(skipped: 0);
    }

    private static string Words(string row) => string.Join(' ', row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
