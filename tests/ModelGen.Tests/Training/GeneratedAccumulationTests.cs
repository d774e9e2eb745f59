using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// A generated model with <c>accumulate_batches</c> (issue 14) on real Fashion-MNIST features: batches of 5 with four to
/// a step train the head as batches of 20 do, on the same samples in the same order.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class GeneratedAccumulationTests
{
    [Fact]
    public void FourBatchesOfFiveToAStep_TrainAsBatchesOfTwenty()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 10, temp["train"]);
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        var trainOptions = new TrainOptions { Progress = ProgressMode.None };

        using var accumulated = TinyAccumulated.Create(options);
        using var features = accumulated.Extract(train);
        var history = accumulated.Train(features, trainOptions: trainOptions with { OutputDirectory = temp["accumulated"] });

        using var whole = TinyWholeBatch.Create(options);
        var wholeHistory = whole.Train(features, trainOptions: trainOptions with { OutputDirectory = temp["whole"] });

        using var untrained = TinyWholeBatch.Create(options);
        var before = HeadWeights(untrained);
        var after = HeadWeights(accumulated);
        Assert.NotEqual(before.SelectMany(w => w), after.SelectMany(w => w)); // two epochs of 5 steps moved the head
        foreach (var (a, b) in after.Zip(HeadWeights(whole)))
        {
            Assert.Equal(b, a, EqualityComparer<float>.Create((x, y) => Math.Abs(x - y) <= 1e-5, _ => 0));
        }

        Assert.Equal(wholeHistory.Epochs.Select(e => e.Loss), history.Epochs.Select(e => e.Loss), EqualityComparer<double>.Create((x, y) => Math.Abs(x - y) <= 1e-5, _ => 0));
    }

    private static List<float[]> HeadWeights(nn.Module model) =>
        model.named_parameters().Where(p => p.name.StartsWith("head.", StringComparison.Ordinal)).Select(p => p.parameter.data<float>().ToArray()).ToList();
}
