using System.Reflection;
using ModelGen.Tests.Specs;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// Per-class precision, recall, F1 and one-vs-rest ROC AUC in <see cref="EvaluationResult"/> (issue 14), from the
/// probabilities <see cref="EvaluationAccumulator"/> collects: hand-computed examples with ties, a class never predicted
/// and one absent from the labels, a binary head, and figures worked out independently from a confusion matrix.
/// </summary>
public sealed class PerClassMetricsTests
{
    private static readonly string[] Classes = ["a", "b", "c", "d"];

    // (true class, probabilities of a, b, c, d); the prediction is the most probable. c is never predicted, d never occurs.
    private static readonly (long Label, float[] Probabilities)[] Samples =
    [
        (0, [0.6f, 0.2f, 0.1f, 0.1f]), // a → a
        (0, [0.3f, 0.4f, 0.2f, 0.1f]), // a → b
        (1, [0.1f, 0.7f, 0.1f, 0.1f]), // b → b
        (1, [0.5f, 0.3f, 0.1f, 0.1f]), // b → a
        (2, [0.2f, 0.4f, 0.3f, 0.1f]), // c → b
        (2, [0.4f, 0.3f, 0.3f, 0.0f]), // c → a
    ];

    [Fact]
    public void HandComputedExample_WithTiesANeverPredictedClassAndAnAbsentOne()
    {
        var result = Accumulate(Classes, Samples, batch: 4);

        Assert.Equal(new long[,] { { 1, 1, 0, 0 }, { 1, 1, 0, 0 }, { 1, 1, 0, 0 }, { 0, 0, 0, 0 } }, result.ConfusionMatrix);

        // a: TP 1, FP 2, FN 1: precision 1/3, recall 1/2, F1 0.4. b likewise. c is never predicted: 0, 0, 0.
        Assert.Equal(0.4, result.F1(0), 12);
        Assert.Equal(0.4, result.F1(1), 12);
        Assert.Equal(0, result.F1(2));
        Assert.Equal(0, result.F1(3));
        Assert.Equal(0.2, result.MacroF1, 12);

        // a's probabilities: positives 0.6, 0.3 against 0.1, 0.5, 0.2, 0.4: 0.6 beats all four, 0.3 beats two: 6/8.
        Assert.Equal(0.75, result.RocAuc(0), 12);
        // b's: positives 0.7, 0.3 against 0.2, 0.4, 0.4, 0.3: 4 + (1 + ½ for the tie) = 5.5/8.
        Assert.Equal(0.6875, result.RocAuc(1), 12);
        // c is never predicted, yet its probability ranks both c images above every other: 1.
        Assert.Equal(1.0, result.RocAuc(2), 12);
        // d has no images: undefined, and left out of the macro average.
        Assert.True(double.IsNaN(result.RocAuc(3)));
        Assert.Equal((0.75 + 0.6875 + 1.0) / 3, result.MacroRocAuc, 12);

        Assert.Equal([2L, 2, 2, 0], result.PerClass.Select(c => c.Support));
        Assert.All(Enumerable.Range(0, Classes.Length), i => Assert.Equal(
            new ClassMetrics(Classes[i], result.Support(i), result.Precision(i), result.Recall(i), result.F1(i), result.RocAuc(i)),
            result.PerClass[i]));
    }

    [Fact]
    public void Table_ShowsF1AndRocAuc_AndNaForAnUndefinedAuc()
    {
        var rows = Accumulate(Classes, Samples, batch: 6).ToTable().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.EndsWith("precision  recall     f1  roc_auc", rows[1], StringComparison.Ordinal);
        Assert.Equal(
            ["a 1 1 0 0 0.333 0.500 0.400 0.750", "b 1 1 0 0 0.333 0.500 0.400 0.688", "c 1 1 0 0 0.000 0.000 0.000 1.000", "d 0 0 0 0 0.000 0.000 0.000 n/a", "macro average 0.167 0.250 0.200 0.813"],
            rows[2..].Select(Words));
    }

    [Fact]
    public void WithoutProbabilities_TheAucIsUndefined_AndTheRestUnchanged()
    {
        var accumulator = new EvaluationAccumulator(["a", "b"]);
        using var loss = tensor(0.25f);
        using var predicted = tensor(new long[] { 1, 1, 0 });
        using var labels = tensor(new long[] { 1, 0, 0 });
        accumulator.Add(loss, predicted, labels);

        var result = accumulator.ToResult(skipped: 0);

        Assert.True(double.IsNaN(result.RocAuc(0)) && double.IsNaN(result.RocAuc(1)) && double.IsNaN(result.MacroRocAuc));
        Assert.Equal(2 / 3.0, result.F1(0), 12); // a: TP 1, FP 0, FN 1
        Assert.Contains(" n/a", result.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void OneHotProbabilities_GiveTheAucOfTheConfusionMatrix()
    {
        // Scores that are only the prediction (probability 1 on the predicted class): each class's ROC curve has one
        // corner at (FPR, TPR), so its AUC is (1 + TPR - FPR) / 2. Worked out here from the matrix alone.
        long[,] confusion =
        {
            { 5, 2, 1 },
            { 0, 4, 3 },
            { 2, 0, 6 },
        };
        var samples = new List<(long, float[])>();
        for (var t = 0; t < 3; t++)
        {
            for (var p = 0; p < 3; p++)
            {
                for (var k = 0; k < confusion[t, p]; k++)
                {
                    var oneHot = new float[3];
                    oneHot[p] = 1;
                    samples.Add((t, oneHot));
                }
            }
        }

        var result = Accumulate(["x", "y", "z"], samples, batch: 5);

        var total = 23.0;
        for (var c = 0; c < 3; c++)
        {
            double tp = confusion[c, c], fn = 0, fp = 0;
            for (var k = 0; k < 3; k++)
            {
                fn += k == c ? 0 : confusion[c, k];
                fp += k == c ? 0 : confusion[k, c];
            }

            var tn = total - tp - fn - fp;
            Assert.Equal(tp / (tp + fp), result.Precision(c), 12);
            Assert.Equal(tp / (tp + fn), result.Recall(c), 12);
            Assert.Equal(2 * tp / ((2 * tp) + fp + fn), result.F1(c), 12);
            Assert.Equal((1 + (tp / (tp + fn)) - (fp / (fp + tn))) / 2, result.RocAuc(c), 12);
            Assert.Equal((long)(tp + fn), result.Support(c));
        }
    }

    [Fact]
    public void BinaryHead_BothClassesGetTheAucOfTheSigmoid()
    {
        // The generated binary head (one sigmoid unit): probabilities [1 - σ(z), σ(z)], prediction σ(z) > 0.5.
        float[] logits = [2.0f, -1.0f, 0.5f, 0.5f, -2.0f, 1.0f];
        long[] labels = [1, 0, 0, 1, 0, 0];
        var accumulator = new EvaluationAccumulator(["no", "yes"]);
        using (var z = tensor(logits, [6, 1]))
        using (var truth = tensor(labels))
        using (var loss = tensor(0f))
        using (var predicted = Invoke("PredictedClass", z))
        using (var probabilities = Invoke("Probabilities", z))
        {
            accumulator.Add(loss, predicted, probabilities, truth);
        }

        var result = accumulator.ToResult(skipped: 0);

        // yes: positives 2.0, 0.5 against -1, 0.5, -2, 1: 2.0 beats all four, 0.5 beats two and ties one: 6.5/8.
        Assert.Equal(0.8125, result.RocAuc(1), 6);
        Assert.Equal(result.RocAuc(1), result.RocAuc(0));
        Assert.Equal(new long[,] { { 2, 2 }, { 0, 2 } }, result.ConfusionMatrix);
        Assert.Equal(2 * 2 / (4.0 + 2), result.F1(1), 12); // TP 2, FP 2, FN 0
        Assert.Equal(2 * 2 / (4.0 + 2), result.F1(0), 12); // TP 2, FP 0, FN 2
    }

    private static Tensor Invoke(string name, Tensor logits) =>
        (Tensor)typeof(TinyBinaryBalanced).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, [logits])!;

    private static EvaluationResult Accumulate(IReadOnlyList<string> classes, IReadOnlyList<(long Label, float[] Probabilities)> samples, int batch)
    {
        var accumulator = new EvaluationAccumulator(classes);
        foreach (var chunk in samples.Chunk(batch))
        {
            using var loss = tensor(0.5f);
            using var probabilities = tensor(chunk.SelectMany(s => s.Probabilities).ToArray(), [chunk.Length, classes.Count]);
            using var predicted = probabilities.argmax(1);
            using var labels = tensor(chunk.Select(s => s.Label).ToArray());
            accumulator.Add(loss, predicted, probabilities, labels);
        }

        return accumulator.ToResult(skipped: 0);
    }

    private static string Words(string row) => string.Join(' ', row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
