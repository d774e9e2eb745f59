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

        var reports = Capture(() =>
        {
            using var backbone = BackboneFactory.Create(Definition("layer3", [256, 2, 2]), new ModelOptions { WeightsPath = path }, pretrained: true);
            using var expected = full.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter.detach().clone();
            Assert.True(backbone.named_parameters().Single(p => p.name == "layer3.1.conv2.weight").parameter.Identical(expected));
        });

        // layer4.* and fc.* are not used, and need no word: they are the part of resnet18 beyond the cut.
        Assert.DoesNotContain(reports, r => r.Path == path);
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

        var reports = Capture(() =>
        {
            using var backbone = BackboneFactory.Create(Definition("layer3", [256, 2, 2]), new ModelOptions { WeightsPath = path }, pretrained: true);
        });

        var (file, unused) = Assert.Single(reports, r => r.Path == path);
        Assert.Equal(foreign.Order(StringComparer.Ordinal), unused.Order(StringComparer.Ordinal));
        var summary = UnusedWeightsLog.Summary(file, unused);
        Assert.Contains(path, summary);
        Assert.Contains("8 tensor(s)", summary);
        Assert.Contains(unused[0], summary);
        Assert.Contains("and 3 more", summary);
    }

    [Fact]
    public void WeightsThatFitExactly_ReportNothing()
    {
        using var source = WeightsRoundTripTests.Backbone("resnet18", seed: 12, cutAt: "layer3");
        var path = Path.Combine(_folder, "resnet18-layer3.safetensors");
        source.save_safetensors(path);

        var reports = Capture(() =>
        {
            using var backbone = BackboneFactory.Create(Definition("layer3", [256, 2, 2]), new ModelOptions { WeightsPath = path }, pretrained: true);
        });

        Assert.DoesNotContain(reports, r => r.Path == path);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static BackboneDefinition Definition(string cutAt, long[] featureShape) =>
        new(Architecture.ResNet18, WeightsKind.ImageNet, cutAt, [3, 32, 32], featureShape, 3, BatchNormMode.Frozen, "");

    private static List<(string Path, IReadOnlyList<string> Unused)> Capture(Action load)
    {
        var reports = new List<(string, IReadOnlyList<string>)>();
        var previous = UnusedWeightsLog.Handler;
        UnusedWeightsLog.Handler = (path, unused) => { lock (reports) { reports.Add((path, unused)); } };
        try
        {
            load();
        }
        finally
        {
            UnusedWeightsLog.Handler = previous;
        }

        return reports;
    }
}
