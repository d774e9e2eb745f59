using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// training.validation_split holds images out on both training paths (issue 17 item 4): Train(directory)
/// and Extract then Train(features), with the same per-class draw.
/// </summary>
public sealed class FeatureSplitTests
{
    [Fact]
    public void ASplit_HoldsOutThatPartOfEachClass_WithTheSameDrawAsForImages()
    {
        var labels = Enumerable.Range(0, 40).Select(i => (long)(i % 4)).ToArray();
        using var train = new FeatureSet(arange(40, ScalarType.Float32).reshape(40, 1, 1, 1), tensor(labels), ["a", "b", "c", "d"], skipped: 0);
        var log = new CapturingLogger();

        using var split = FeatureSplit.Of(train, null, validationSplit: 0.2, seed: 5, log);

        Assert.Equal(32, split.Train.Count);
        Assert.Equal(8, split.Validation!.Count);
        Assert.All(split.Validation.Labels.data<long>().GroupBy(l => l), g => Assert.Equal(2, g.Count())); // 2 of each class's 10
        var trainRows = split.Train.Features.data<float>().Select(v => (int)v).ToList();
        var heldRows = split.Validation.Features.data<float>().Select(v => (int)v).ToList();
        Assert.Empty(trainRows.Intersect(heldRows));
        Assert.Equal(ValidationSplit.HoldOut(labels.Select(l => (int)l).ToList(), null, ["a", "b", "c", "d"], 0.2, 5).Held, heldRows);
        var message = Assert.Single(log.Of(LogEvents.ValidationSplitHeldOut));
        Assert.Equal(8, message["Held"]);
    }

    [Fact]
    public void GivenValidationFeaturesOrNoSplit_TheFeaturesAreUsedAsGiven()
    {
        using var train = new FeatureSet(zeros(4, 1, 1, 1), tensor(new long[] { 0, 1, 0, 1 }), ["a", "b"], skipped: 0);
        using var validation = new FeatureSet(zeros(2, 1, 1, 1), tensor(new long[] { 0, 1 }), ["a", "b"], skipped: 0);

        using (var given = FeatureSplit.Of(train, validation, validationSplit: 0.5, seed: 1))
        {
            Assert.Same(train, given.Train);
            Assert.Same(validation, given.Validation);
        }

        using (var none = FeatureSplit.Of(train, null, validationSplit: null, seed: 1))
        {
            Assert.Same(train, none.Train);
            Assert.Null(none.Validation);
        }

        Assert.Equal(4, train.Count); // not disposed by the splits that did not make it
    }

    [Fact]
    public void TrainOnFeatures_WithASplitInTheSpec_Validates()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Train, perClass: 4, temp["train"]);
        using var model = TinyValidationSplit.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = 3 });
        using var features = model.Extract(images);

        var history = model.Train(features, null, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.None });

        var epoch = Assert.Single(history.Epochs);
        Assert.NotNull(epoch.ValLoss);
        Assert.NotNull(epoch.ValAccuracy);
    }
}
