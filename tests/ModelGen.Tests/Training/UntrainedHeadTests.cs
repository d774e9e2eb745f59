using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>Predict and Evaluate on a head that was never trained nor loaded warn once (issue 17 item 8): its outputs are random.</summary>
[Collection(nameof(TorchRandomness))]
public sealed class UntrainedHeadTests
{
    [Fact]
    public void AnUntrainedHead_WarnsOnce_ATrainedOrLoadedOneDoesNot()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Train, perClass: 1, temp["train"]);
        var image = Directory.GetFiles(Path.Combine(images, "bag")).First();
        var log = new CapturingLogger();
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = 3, Logger = log };

        using (var fresh = TinyValidationSplit.Create(options))
        {
            fresh.Predict(image);
            fresh.Predict(image);
            var warning = Assert.Single(log.Of(LogEvents.HeadNotTrained));
            Assert.Equal(("TinyValidationSplit", "Predict"), (warning["Model"], warning["Operation"]));
            Assert.Contains("call Train or Load first", warning.Message, StringComparison.Ordinal);

            using var features = fresh.Extract(images);
            fresh.Train(features, null, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.None });
            fresh.Predict(image);
            fresh.Save(temp["model.mgmodel"]);
        }

        using (var loaded = TinyValidationSplit.Load(temp["model.mgmodel"], options))
        {
            loaded.Predict(image);
            loaded.Evaluate(images);
        }

        Assert.Single(log.Of(LogEvents.HeadNotTrained));
    }
}
