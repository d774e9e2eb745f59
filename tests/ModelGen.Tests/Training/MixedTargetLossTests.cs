using System.Reflection;
using ModelGen.Tests.Specs;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The losses on the mixed targets of MixUp and CutMix (issue 14) against their formulas on hand-computed examples:
/// -Σ q log softmax with label smoothing on the mixed rows and a row weighing Σ q_c w_c, binary cross-entropy against
/// the mixed share of class 1; on one-hot rows they are the losses without mixing.
/// </summary>
public sealed class MixedTargetLossTests
{
    private static readonly float[][] Logits = [[2f, 0.5f, -1f], [0.1f, 0.2f, 0.3f], [-0.5f, 1.5f, 0.2f]];

    [Fact]
    public void GeneratedCategoricalMixedLoss_IsTheWeightedMeanOfTheCrossEntropyAgainstTheSmoothedMixedRows()
    {
        // Image 0 is 0.7 of a and 0.3 of b, image 1 a quarter b and three quarters c, image 2 unmixed b.
        double[][] targets = [[0.7, 0.3, 0], [0, 0.25, 0.75], [0, 1, 0]];
        double[] classWeights = [2, 1, 0.5];
        const double Epsilon = 0.1; // the spec's label_smoothing
        double sum = 0, weights = 0;
        for (var i = 0; i < 3; i++)
        {
            var logP = LogSoftmax(Logits[i]);
            var perImage = -Enumerable.Range(0, 3).Sum(c => (((1 - Epsilon) * targets[i][c]) + (Epsilon / 3)) * logP[c]);
            var weight = Enumerable.Range(0, 3).Sum(c => targets[i][c] * classWeights[c]); // 1.7, 0.625, 1
            sum += weight * perImage;
            weights += weight;
        }

        var loss = Invoke(typeof(TinyMixedWeightedSmoothing), "MixedLoss", Matrix(Logits), Matrix(targets), Vector(classWeights));
        var unweighted = Invoke(typeof(TinyMixedWeightedSmoothing), "MixedLoss", Matrix(Logits), Matrix(targets), null);

        Assert.Equal(sum / weights, loss, 5);
        Assert.Equal(
            Enumerable.Range(0, 3).Average(i => -Enumerable.Range(0, 3).Sum(c => (((1 - Epsilon) * targets[i][c]) + (Epsilon / 3)) * LogSoftmax(Logits[i])[c])),
            unweighted,
            5);
    }

    [Fact]
    public void GeneratedBinaryMixedLoss_IsTheWeightedMeanOfTheCrossEntropyAgainstTheSmoothedShareOfClassOne()
    {
        float[] logits = [1.5f, -0.5f, 0.3f];
        double[][] targets = [[0.3, 0.7], [1, 0], [0.55, 0.45]]; // shares of no and yes
        double[] classWeights = [0.75, 1.5];
        const double Epsilon = 0.2;
        double sum = 0, weights = 0;
        for (var i = 0; i < 3; i++)
        {
            var p = 1 / (1 + Math.Exp(-logits[i]));
            var t = targets[i][1];
            var smoothed = (t * (1 - Epsilon)) + (Epsilon / 2);
            var perImage = -((smoothed * Math.Log(p)) + ((1 - smoothed) * Math.Log(1 - p)));
            var weight = (t * classWeights[1]) + ((1 - t) * classWeights[0]);
            sum += weight * perImage;
            weights += weight;
        }

        var loss = Invoke(typeof(TinyBinaryMixed), "MixedLoss", tensor(logits, [3, 1]), Matrix(targets), Vector(classWeights));

        Assert.Equal(sum / weights, loss, 5);
    }

    [Theory]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.1)]
    public void OnOneHotRows_TheMixedLossesAreTheLossesWithoutMixing(bool weighted, double smoothing)
    {
        // PyTorch's cross_entropy weighs the smoothed share of each class by that class's weight, so with class weights and
        // label smoothing both on, the two differ by design; each alone matches.
        long[] labels = [0, 2, 1];
        using var logits = Matrix(Logits);
        using var labelTensor = tensor(labels);
        using var oneHot = nn.functional.one_hot(labelTensor, 3).to_type(ScalarType.Float32);
        using var weights = weighted ? Vector([2, 1, 0.5]) : null;
        using var binaryWeights = weighted ? Vector([0.75, 1.5]) : null;
        using var binaryLogits = tensor(new[] { 1.5f, -0.5f, 0.3f }, [3, 1]);
        using var binaryLabels = tensor(new long[] { 1, 0, 0 });
        using var binaryTargets = binaryLabels.to_type(ScalarType.Float32);

        using var soft = Losses.SoftCategorical(logits, oneHot, weights, smoothing);
        using var hard = Losses.Categorical(logits, labelTensor, weights, 0, smoothing);
        using var softBinary = Losses.SoftBinary(binaryLogits, binaryTargets, binaryWeights, smoothing);
        using var hardBinary = Losses.Binary(binaryLogits, binaryLabels, binaryWeights, 0, smoothing);

        Assert.Equal(hard.item<float>(), soft.item<float>(), 5);
        Assert.Equal(hardBinary.item<float>(), softBinary.item<float>(), 5);
    }

    private static Tensor Matrix(float[][] rows) => tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Matrix(double[][] rows) => tensor(rows.SelectMany(r => r).Select(x => (float)x).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Vector(double[] values) => tensor(values.Select(x => (float)x).ToArray());

    private static double Invoke(Type model, string name, params object?[] arguments)
    {
        var method = model.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!;
        using var loss = (Tensor)method.Invoke(null, arguments)!;
        return loss.item<float>();
    }

    private static double[] LogSoftmax(float[] logits)
    {
        var max = logits.Max();
        var log = Math.Log(logits.Sum(z => Math.Exp(z - max))) + max;
        return logits.Select(z => z - log).ToArray();
    }
}
