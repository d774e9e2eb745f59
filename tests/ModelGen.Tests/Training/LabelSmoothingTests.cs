using System.Reflection;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <c>training.label_smoothing</c> (issue 14): the generated loss equals the formula on hand-computed examples,
/// for the categorical and the binary loss.
/// </summary>
public sealed class LabelSmoothingTests
{
    [Fact]
    public void CategoricalLoss_IsCrossEntropyAgainstTheSmoothedTarget()
    {
        // Logits of two images over three classes, true classes 0 and 2, ε = 0.1, K = 3.
        float[][] logits = [[2f, 0.5f, -1f], [0.1f, 0.2f, 0.3f]];
        long[] labels = [0, 2];
        const double epsilon = 0.1;
        var expected = labels.Select((label, i) =>
        {
            var logSoftmax = LogSoftmax(logits[i]);
            // The target: (1 - ε) on the true class, plus ε / K on every class.
            return -Enumerable.Range(0, 3).Sum(k => ((k == label ? 1 - epsilon : 0) + (epsilon / 3)) * logSoftmax[k]);
        }).Average();

        var loss = GeneratedLoss(typeof(TinyLabelSmoothing), tensor(logits.SelectMany(x => x).ToArray(), [2, 3]), tensor(labels));

        Assert.Equal(expected, loss, 5);
        // Without smoothing the loss would be plain cross-entropy, which differs here.
        var plain = labels.Select((label, i) => -LogSoftmax(logits[i])[label]).Average();
        Assert.True(Math.Abs(plain - loss) > 1e-3);
    }

    [Fact]
    public void BinaryLoss_IsBinaryCrossEntropyAgainstTargetsMovedByHalfEpsilon()
    {
        // One logit per image, labels 1 and 0, ε = 0.2: the targets are 0.9 and 0.1.
        float[] logits = [1.5f, -0.5f];
        long[] labels = [1, 0];
        double[] targets = [0.9, 0.1];
        var expected = logits.Select((z, i) =>
        {
            var p = 1 / (1 + Math.Exp(-z));
            return -((targets[i] * Math.Log(p)) + ((1 - targets[i]) * Math.Log(1 - p)));
        }).Average();

        var loss = GeneratedLoss(typeof(TinyBinarySmoothing), tensor(logits, [2, 1]), tensor(labels));

        Assert.Equal(expected, loss, 5);
    }

    // The generated Loss(logits, labels) is private: the one place each model computes its loss.
    private static double GeneratedLoss(Type model, Tensor logits, Tensor labels)
    {
        var method = model.GetMethod("Loss", BindingFlags.NonPublic | BindingFlags.Static)!;
        using var loss = (Tensor)method.Invoke(null, [logits, labels])!;
        return loss.item<float>();
    }

    private static double[] LogSoftmax(float[] logits)
    {
        var max = logits.Max();
        var log = Math.Log(logits.Sum(z => Math.Exp(z - max))) + max;
        return logits.Select(z => z - log).ToArray();
    }
}
