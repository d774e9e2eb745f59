using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>Generated models learn on the real Fashion-MNIST images, and fine-tuning moves only what it should.</summary>
public sealed class LearningTests
{
    [Fact]
    public void Method1_ExtractThenTrainOnFeatures_LearnsWellAboveChance()
    {
        using var temp = new TempFolder();
        using var model = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });

        using var train = model.Extract(FashionData.Train);
        using var validation = model.Extract(FashionData.Validation);
        var history = model.Train(train, validation, new TrainOptions { OutputDirectory = temp["out"], CheckpointDirectory = temp["checkpoints"], Progress = ProgressMode.None });
        var test = model.Evaluate(FashionData.Test);

        Assert.Equal(12, history.Epochs.Count);
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss);
        Assert.True(test.Accuracy > 0.6, $"test accuracy {test.Accuracy:0.000} (chance is 0.1)");
        Assert.Equal(500, test.Count);
        Assert.True(File.Exists(temp["out/curves.png"]));
        Assert.True(File.Exists(temp["out/history.csv"]));
    }

    [Fact]
    public void TwoPhases_OnImageFolders_LearnAndFineTuneOnlyLayer3()
    {
        using var temp = new TempFolder();
        using var model = FashionTwoPhase.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        var before = model.Backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

        var history = model.Train(FashionData.Train, FashionData.Validation, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.None });
        var test = model.Evaluate(FashionData.Test);

        Assert.Equal(["head", "head", "head", "head", "head", "head", "tune"], history.Epochs.Select(e => e.Phase));
        Assert.All(history.Epochs, e => Assert.NotNull(e.ValAccuracy));
        Assert.True(test.Accuracy > 0.6, $"test accuracy {test.Accuracy:0.000} (chance is 0.1)");
        foreach (var (name, value) in model.Backbone.state_dict())
        {
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                continue;
            }

            var changed = !value.Identical(before[name]);
            var inLayer3 = name.StartsWith("layer3.", StringComparison.Ordinal);
            Assert.True(changed == inLayer3, $"{name} {(changed ? "changed" : "did not change")} but is {(inLayer3 ? "trainable" : "frozen")}");
        }
    }

    [Fact]
    public void Predict_ReturnsTheEnumLabelAndProbabilitiesThatSumToOne()
    {
        using var temp = new TempFolder();
        using var model = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        var image = Directory.GetFiles(Path.Combine(FashionData.Test, "trouser")).Order().First();

        var prediction = model.Predict(image);
        using var stream = File.OpenRead(image);
        var fromStream = model.Predict(stream);

        Assert.Equal(10, prediction.Probabilities.Count);
        Assert.Equal(1.0, prediction.Probabilities.Sum(), 3);
        Assert.Equal(FashionMethod1.DeclaredClasses[(int)prediction.Label], prediction.ClassName);
        Assert.Equal(prediction.Probabilities, fromStream.Probabilities);
    }

    [Fact]
    public void SaveThenLoad_GivesTheSamePredictions_AndAnotherModelsFileIsRefused()
    {
        using var temp = new TempFolder();
        using var model = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        var image = Directory.GetFiles(Path.Combine(FashionData.Test, "bag")).Order().First();
        model.Save(temp["fashion.mgmodel"]);

        using var loaded = FashionMethod1.Load(temp["fashion.mgmodel"], new ModelOptions { Device = CPU });

        Assert.Equal(model.Predict(image).Probabilities, loaded.Predict(image).Probabilities);
        var error = Assert.Throws<ModelFileException>(() => FashionTwoPhase.Load(temp["fashion.mgmodel"], new ModelOptions { Device = CPU }));
        Assert.Contains("FashionMethod1", error.Message);
        File.WriteAllBytes(temp["damaged.mgmodel"], File.ReadAllBytes(temp["fashion.mgmodel"]).AsSpan(0, 4000).ToArray());
        Assert.Contains("damaged", Assert.Throws<ModelFileException>(() => FashionMethod1.Load(temp["damaged.mgmodel"])).Message);
    }
}
