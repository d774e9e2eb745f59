using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;

namespace ModelGen.Tests.Training;

/// <summary>
/// <c>augment.mixup</c> and <c>augment.cutmix</c> (issue 14) in a generated model: it learns real Fashion-MNIST images
/// from mixed batches, the same seed gives the same run, and the phase logs its mixing once.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class MixingTrainingTests
{
    [Fact]
    public void MixUpAndCutMix_LearnRealImages_AndTheSameSeedGivesTheSameRun()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, 20, temp["train"]);
        var logger = new CapturingLogger();
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = TorchSharp.torch.CPU, Seed = 7, Logger = logger };
        var trainOptions = new TrainOptions { Progress = ProgressMode.None };

        using var first = FashionMixed.Create(options);
        var history = first.Train(train, FashionData.Validation, trainOptions with { OutputDirectory = temp["first"] });
        var accuracy = first.Evaluate(FashionData.Test).Accuracy;
        using var second = FashionMixed.Create(options with { Logger = new CapturingLogger() });
        var again = second.Train(train, FashionData.Validation, trainOptions with { OutputDirectory = temp["second"] });

        // Chance is 0.1; the first epoch's loss is about ln 10 = 2.3.
        Assert.True(accuracy > 0.4, $"test accuracy {accuracy:0.000}"); // measured: 0.556; losses 2.53 to 1.66, training accuracy on mixed batches 0.11 to 0.48 over 4 epochs
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss, string.Join(", ", history.Epochs.Select(e => e.Loss.ToString("0.000"))));
        Assert.Equal(history.Epochs.Select(e => (e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy)), again.Epochs.Select(e => (e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy)));

        var mixing = Assert.Single(logger.Of(LogEvents.BatchesMixed));
        Assert.Contains("either MixUp (alpha 0.2) or CutMix (alpha 1), each picked with probability 0.5", mixing.Message, StringComparison.Ordinal);
    }
}
