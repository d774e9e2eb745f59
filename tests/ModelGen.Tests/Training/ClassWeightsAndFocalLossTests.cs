using System.Reflection;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <c>training.class_weights</c> and <c>training.focal_gamma</c> (issue 14): the generated losses equal their formulas on
/// hand-computed examples, balanced weights are N / (K · n_c), and class weights raise the recall of a minority class
/// on real images.
/// </summary>
public sealed class ClassWeightsAndFocalLossTests
{
    [Fact]
    public void CategoricalTrainingLoss_IsTheClassWeightedMeanOfTheFocalLoss()
    {
        // Three images over three classes a, b, c with weights 2, 1 (left out), 0.5; γ = 2.
        float[][] logits = [[2f, 0.5f, -1f], [0.1f, 0.2f, 0.3f], [-0.5f, 1.5f, 0.2f]];
        long[] labels = [0, 2, 1];
        double[] classWeights = [2, 1, 0.5];
        var perImage = labels.Select((label, i) =>
        {
            var p = Math.Exp(LogSoftmax(logits[i])[label]);
            return -Math.Pow(1 - p, 2) * Math.Log(p);
        }).ToArray();
        var weighted = labels.Select((label, i) => classWeights[label] * perImage[i]).Sum() / labels.Sum(label => classWeights[label]);

        using var weights = tensor(classWeights.Select(w => (float)w).ToArray());
        var training = Invoke(typeof(TinyWeightedFocal), "TrainingLoss", tensor(logits.SelectMany(x => x).ToArray(), [3, 3]), tensor(labels), weights);
        var validation = Invoke(typeof(TinyWeightedFocal), "Loss", tensor(logits.SelectMany(x => x).ToArray(), [3, 3]), tensor(labels));

        Assert.Equal(weighted, training, 5);
        Assert.Equal(perImage.Average(), validation, 5); // validation is not weighted
        Assert.True(Math.Abs(weighted - perImage.Average()) > 1e-3);
    }

    [Fact]
    public void BinaryTrainingLoss_IsTheClassWeightedMeanOfTheFocalLoss()
    {
        float[] logits = [1.5f, -0.5f, 0.3f];
        long[] labels = [1, 0, 0];
        double[] classWeights = [0.75, 1.5]; // balanced for two "no" and one "yes": 3 / (2 · 2) and 3 / (2 · 1)
        var perImage = logits.Select((z, i) =>
        {
            var p = 1 / (1 + Math.Exp(-z));
            var pt = labels[i] == 1 ? p : 1 - p;
            return -Math.Pow(1 - pt, 1.5) * Math.Log(pt);
        }).ToArray();
        var weighted = labels.Select((label, i) => classWeights[label] * perImage[i]).Sum() / labels.Sum(label => classWeights[label]);

        using var weights = tensor(classWeights.Select(w => (float)w).ToArray());
        var loss = Invoke(typeof(TinyBinaryBalanced), "TrainingLoss", tensor(logits, [3, 1]), tensor(labels), weights);

        Assert.Equal(weighted, loss, 5);
    }

    [Fact]
    public void Balanced_WeighsEachClassByNOverKTimesItsCount()
    {
        var weights = ClassWeighting.Balanced.WeightsFor(["a", "b", "c"], [10, 30, 0]);

        Assert.Equal([40 / (3.0 * 10), 40 / (3.0 * 30), 0], weights);
    }

    [Fact]
    public void Explicit_NamesOnlyClassesTheDataHas_AndLeftOutClassesWeighOne()
    {
        var weighting = ClassWeighting.Explicit(new Dictionary<string, double> { ["b"] = 3 });

        Assert.Equal([1.0, 3.0], weighting.WeightsFor(["a", "b"], [5, 5]));
        var error = Assert.Throws<ArgumentException>(() => ClassWeighting.Explicit(new Dictionary<string, double> { ["x"] = 2 }).WeightsFor(["a", "b"], [1, 1]));
        Assert.Contains("'x', which is not a class", error.Message, StringComparison.Ordinal);
        Assert.Contains("the classes are a, b", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ClassWeighting.Explicit(new Dictionary<string, double> { ["a"] = -1 }));
    }

    [Fact]
    public void BalancedClassWeights_RaiseTheRecallOfAMinorityClass_OnRealImages()
    {
        // 10 shirts against 100 of every other class; shirts look like t-shirts, pullovers and coats.
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, 100, temp["train"]);
        foreach (var extra in Directory.GetFiles(Path.Combine(train, "shirt")).Order(StringComparer.Ordinal).Skip(10))
        {
            File.Delete(extra);
        }

        var shirt = FashionData.Classes.ToList().IndexOf("shirt");
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        var trainOptions = new TrainOptions { Progress = ProgressMode.None };
        using var plain = FashionImbalanced.Create(options);
        using var features = plain.Extract(train);
        using var validation = plain.Extract(FashionData.Validation);
        plain.Train(features, validation, trainOptions with { OutputDirectory = temp["plain"] });
        var plainRecall = plain.Evaluate(FashionData.Test).Recall(shirt);

        using var weighted = FashionImbalancedBalanced.Create(options);
        weighted.Train(features, validation, trainOptions with { OutputDirectory = temp["weighted"] });
        var weightedResult = weighted.Evaluate(FashionData.Test);

        Assert.True(
            weightedResult.Recall(shirt) >= plainRecall + 0.06, // at least 3 more of the 50 test shirts (measured: 0.20 against 0.10)
            $"shirt recall with balanced weights {weightedResult.Recall(shirt):0.00}, without {plainRecall:0.00}");
        Assert.True(weightedResult.Accuracy > 0.5, $"test accuracy {weightedResult.Accuracy:0.000}");
    }

    private static double Invoke(Type model, string name, params object[] arguments)
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
