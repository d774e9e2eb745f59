using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ModelGen.Tests.Logging;

/// <summary>
/// A library writes nothing of its own to the console: with the default null logger, work that has
/// warnings and events to report (a skipped image, unused weights, cache misses and hits, epoch lines,
/// nothing to resume) writes nothing at all; the same work with a logger gives all of them to it.
/// </summary>
[Collection(nameof(ConsoleOutput))]
public sealed class NoConsoleOutputTests
{
    [Fact]
    public void WithTheDefaultNullLogger_NothingIsWrittenToTheConsole()
    {
        using var temp = new TempFolder();

        var (output, error) = ConsoleOutput.Capture(() => Work(temp, logger: null));

        Assert.Equal("", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void TheSameWork_WithALogger_GivesItEveryMessage_AndStillNothingToTheConsole()
    {
        using var temp = new TempFolder();
        var logger = new CapturingLogger();

        var (output, error) = ConsoleOutput.Capture(() => Work(temp, logger));

        Assert.Equal("", output);
        Assert.Equal("", error);
        int[] expected =
        [
            LogEvents.UnusedWeights, LogEvents.FeatureCacheMiss, LogEvents.InferenceEngineChosen, LogEvents.ImageSkipped, LogEvents.FeaturesExtracted, LogEvents.FeatureCacheStored,
            LogEvents.FeatureCacheHit, LogEvents.NothingToResume, LogEvents.EpochCompleted, LogEvents.PhaseFinished, LogEvents.TrainingFinished,
        ];
        Assert.Equal(expected, logger.Entries.Select(e => e.EventId.Id).Distinct());
    }

    /// <summary>Work with something to report at every step; <paramref name="logger"/> null keeps the default.</summary>
    private static void Work(TempFolder temp, CapturingLogger? logger)
    {
        var images = FashionData.Subset(FashionData.Train, perClass: 1, temp["images"]);
        File.WriteAllText(Path.Combine(images, "bag", "text.jpg"), "not an image");
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        if (logger is not null)
        {
            options = options with { Logger = logger };
        }

        // A weights file with a tensor that belongs to no layer.
        using (var full = torchvision.models.resnet18())
        {
            full.register_module("projection", nn.Linear(512, 4));
            full.save_py(temp["weights.pth"]);
        }

        var definition = new BackboneDefinition(Architecture.ResNet18, WeightsKind.ImageNet, "layer3", [3, 32, 32], [256, 2, 2], 3, BatchNormMode.Frozen, "");
        BackboneFactory.Create(definition, options with { WeightsPath = temp["weights.pth"] }, pretrained: true).Dispose();

        // The generated model: extracted twice (a miss, then a hit), trained with progress lines and a
        // resume that finds no checkpoint.
        using var model = TinySeeded.Create(options);
        using (var first = model.Extract(images))
        using (var again = model.Extract(images))
        {
            model.Train(first, null, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.Lines, Resume = true, Logger = logger });
        }

        // Images read the way a model reads them, with the model's logger: the unreadable one is skipped.
        var folder = ImageFolder.Open(images, TinySeeded.DeclaredClasses, options.Logger);
        Assert.Equal(folder.Count - 1, ImageBatches.Read(folder, model.Backbone.Input, batchSize: 4).Sum(b => b.Count));
    }
}
