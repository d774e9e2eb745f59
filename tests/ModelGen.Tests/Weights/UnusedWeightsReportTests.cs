using Microsoft.Extensions.Logging;
using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ModelGen.Tests.Weights;

/// <summary>Tensors of a weights file that the backbone does not use: the load goes on, and they are reported by name.</summary>
public sealed class UnusedWeightsReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-unused-").FullName;

    [Fact]
    public void FullResNet18Weights_IntoABackboneCutAtLayer3_LoadWithoutAReport()
    {
        using var full = torchvision.models.resnet18();
        var path = Path.Combine(_folder, "resnet18-full.pth");
        full.save_py(path);

        var reports = Capture(logger =>
        {
            using var backbone = BackboneFactory.Create(Definition("layer3", [256, 2, 2]), new ModelOptions { WeightsPath = path, Logger = logger }, pretrained: true);
            using var expected = full.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter.detach().clone();
            Assert.True(backbone.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter.Identical(expected));
        });

        // layer4.* and fc.* are not used, and need no word: they are the part of resnet18 beyond the cut.
        Assert.Empty(reports);
    }

    [Fact]
    public void TensorsOfNoLayerOfTheNetwork_AreReportedByName_AndTheLoadGoesOn()
    {
        using var full = torchvision.models.resnet18();
        full.register_module("projection", nn.Linear(512, 128));
        full.register_module("extra", nn.Sequential(("0", nn.Linear(4, 4)), ("1", nn.Linear(4, 4)), ("2", nn.Linear(4, 4))));
        var path = Path.Combine(_folder, "resnet18-with-a-projection.pth");
        full.save_py(path);
        var foreign = new[] { "projection.weight", "projection.bias", "extra.0.weight", "extra.0.bias", "extra.1.weight", "extra.1.bias", "extra.2.weight", "extra.2.bias" };

        var reports = Capture(logger =>
        {
            using var backbone = BackboneFactory.Create(Definition("layer3", [256, 2, 2]), new ModelOptions { WeightsPath = path, Logger = logger }, pretrained: true);
        });

        // Exactly the foreign tensors (8; not layer4.* or fc.*), the first five by name.
        var report = Assert.Single(reports);
        Assert.Equal(LogLevel.Warning, report.Level);
        Assert.Equal(path, report["WeightsPath"]);
        Assert.Equal(8, report["Count"]);
        var named = ((string)report["TensorNames"]!).Split(", ");
        Assert.Equal(6, named.Length);
        Assert.Subset(foreign.ToHashSet(), named[..5].ToHashSet());
        Assert.Equal("and 3 more", named[5]);
        Assert.Contains(path, report.Message);
        Assert.Contains("8 tensor(s)", report.Message);
        Assert.Contains(named[0], report.Message);
    }

    [Fact]
    public void WeightsThatFitExactly_ReportNothing()
    {
        using var source = WeightsRoundTripTests.Backbone("resnet18", seed: 12, cutAt: "layer3");
        var path = Path.Combine(_folder, "resnet18-layer3.safetensors");
        source.save_safetensors(path);

        var reports = Capture(logger =>
        {
            using var backbone = BackboneFactory.Create(Definition("layer3", [256, 2, 2]), new ModelOptions { WeightsPath = path, Logger = logger }, pretrained: true);
        });

        Assert.Empty(reports);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static BackboneDefinition Definition(string cutAt, long[] featureShape) =>
        new(Architecture.ResNet18, WeightsKind.ImageNet, cutAt, [3, 32, 32], featureShape, 3, BatchNormMode.Frozen, "");

    /// <summary>The unused-weights reports of a load with a logger of its own (nothing else is logged).</summary>
    private static IReadOnlyList<LogEntry> Capture(Action<CapturingLogger> load)
    {
        var logger = new CapturingLogger();
        load(logger);
        Assert.All(logger.Entries, e => Assert.Equal(LogEvents.UnusedWeights, e.EventId.Id));
        return logger.Of(LogEvents.UnusedWeights);
    }
}
