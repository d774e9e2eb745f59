using ModelGen.Training;

namespace ModelGen.Tests.Training;

/// <summary>
/// Multi-label figures against values computed by hand: average precision as scikit-learn's
/// average_precision_score (its documented example, ties, no positives), micro and macro F1, exact-match accuracy,
/// mean average precision, the per-label thresholds chosen for F1, and the prediction they give.
/// </summary>
public sealed class MultiLabelMetricsTests
{
    // Three images, two labels ([N, K] row-major); thresholds 0.5 and 0.3 predict [1,0], [0,1], [1,0].
    private static readonly float[] Probabilities = [0.9f, 0.2f, 0.4f, 0.35f, 0.6f, 0.1f];
    private static readonly bool[] Truth = [true, false, true, true, false, true];
    private static readonly float[] Thresholds = [0.5f, 0.3f];

    [Fact]
    public void AveragePrecision_IsScikitLearnsOnItsDocumentedExample()
    {
        // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...:
        // from the top, (R, P) = (0.5, 1), (0.5, 0.5), (1, 2/3), (1, 0.5), so AP = 0.5 * 1 + 0.5 * 2/3.
        Assert.Equal(0.5 + 0.5 * 2 / 3.0, AveragePrecision.Of([0.1f, 0.4f, 0.35f, 0.8f], [false, false, true, true]), 12);
    }

    [Fact]
    public void AveragePrecision_LetsTiedScoresEnterTogether()
    {
        // The two 0.5s enter at once: (R, P) = (0.5, 0.5), then (1, 2/3).
        Assert.Equal(0.5 * 0.5 + 0.5 * 2 / 3.0, AveragePrecision.Of([0.5f, 0.5f, 0.2f], [true, false, true]), 12);
    }

    [Fact]
    public void AveragePrecision_IsOneForAPerfectRanking_AndNaNWithoutPositives()
    {
        Assert.Equal(1.0, AveragePrecision.Of([0.9f, 0.8f, 0.1f], [true, true, false]), 12);
        Assert.True(double.IsNaN(AveragePrecision.Of([0.9f, 0.1f], [false, false])));
    }

    [Fact]
    public void AveragePrecision_AgreesWithItsDefinitionOnRandomScores()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = random.Next(2, 40);
            var scores = Enumerable.Range(0, n).Select(_ => (float)Math.Round(random.NextDouble(), 1)).ToArray(); // many ties
            var positive = Enumerable.Range(0, n).Select(_ => random.Next(3) == 0).ToArray();
            positive[0] = true;

            Assert.Equal(ByDefinition(scores, positive), AveragePrecision.Of(scores, positive), 12);
        }
    }

    [Fact]
    public void MicroAndMacroF1_AndExactMatch_AreTheCountsByHand()
    {
        // Label 0: TP 1, FP 1, FN 1 → F1 2/4. Label 1: TP 1, FP 0, FN 1 → F1 2/3.
        // Pooled: TP 2, FP 1, FN 2 → micro F1 4/7. Only image 0 is predicted exactly.
        Assert.Equal(4 / 7.0, MultiLabelMetrics.MicroF1(Probabilities, Truth, Thresholds), 12);
        Assert.Equal((0.5 + 2 / 3.0) / 2, MultiLabelMetrics.MacroF1(Probabilities, Truth, Thresholds), 12);
        Assert.Equal(1 / 3.0, MultiLabelMetrics.ExactMatch(Probabilities, Truth, Thresholds), 12);
    }

    [Fact]
    public void MeanAveragePrecision_AveragesTheLabelsThatHavePositives()
    {
        // Label 0: scores 0.9 (+), 0.6 (-), 0.4 (+); label 1: 0.35 (+), 0.2 (-), 0.1 (+): both 0.5 + 0.5 * 2/3.
        Assert.Equal(0.5 + 0.5 * 2 / 3.0, MultiLabelMetrics.MeanAveragePrecision(Probabilities, Truth, 2), 12);

        // A third label no image has is left out of the mean, not counted as 0.
        float[] withThird = [0.9f, 0.2f, 0.7f, 0.4f, 0.35f, 0.1f, 0.6f, 0.1f, 0.9f];
        bool[] truthThird = [true, false, false, true, true, false, false, true, false];
        Assert.Equal(0.5 + 0.5 * 2 / 3.0, MultiLabelMetrics.MeanAveragePrecision(withThird, truthThird, 3), 12);
    }

    [Fact]
    public void Thresholds_MaximiseEachLabelsF1_TheHigherOnATie_AndStayAtOneHalfWithoutPositives()
    {
        // Label 0: t = 0.9 → F1 2/3, 0.8 → 1/2, 0.3 → 4/5 (best), 0.2 → 2/3.
        // Label 1: t = 0.9 → 2/3, 0.7 → 1/2, 0.5 → 2/5, 0.3 → 2/3: a tie, the higher wins.
        // Label 2: no positives → 0.5.
        float[] probabilities = [0.9f, 0.9f, 0.2f, 0.8f, 0.7f, 0.9f, 0.3f, 0.5f, 0.1f, 0.2f, 0.3f, 0.7f];
        bool[] truth = [true, true, false, false, false, false, true, false, false, false, true, false];

        Assert.Equal([0.3f, 0.9f, 0.5f], LabelThresholds.Choose(probabilities, truth, 3));
        Assert.Equal([0.5f, 0.5f], LabelThresholds.Defaults(2));
    }

    [Fact]
    public void APrediction_HoldsTheLabelsAtOrAboveTheirThresholds_InOutputOrder()
    {
        var prediction = MultiLabelPrediction<DayOfWeek>.From([0.3f, 0.8f, 0.5f], [0.5f, 0.5f, 0.5f], k => (DayOfWeek)k);

        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday], prediction.Labels);
        Assert.True(prediction.Contains(DayOfWeek.Tuesday));
        Assert.False(prediction.Contains(DayOfWeek.Sunday));
        Assert.Empty(MultiLabelPrediction<DayOfWeek>.From([0.1f], [0.5f], k => (DayOfWeek)k).Labels);
    }

    // AP from its definition: for every distinct score t from the highest, precision and recall of "score >= t".
    private static double ByDefinition(float[] scores, bool[] positive)
    {
        var total = positive.Count(p => p);
        double ap = 0, recallBefore = 0;
        foreach (var t in scores.Distinct().OrderDescending())
        {
            var called = Enumerable.Range(0, scores.Length).Where(i => scores[i] >= t).ToList();
            var hits = called.Count(i => positive[i]);
            var recall = (double)hits / total;
            ap += (recall - recallBefore) * hits / called.Count;
            recallBefore = recall;
        }

        return ap;
    }
}
