using ModelGen.Backbones;
using ModelGen.Backbones.Architectures;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones;

/// <summary>
/// Weight files of DenseNet, RegNet, GoogLeNet and Inception v3 as torchvision writes them: the whole network
/// (classifier and auxiliary classifiers included) loads into the backbone with no report, and DenseNet's
/// legacy tensor names (<c>norm.1</c>) load as torchvision loads them.
/// </summary>
public sealed class ConcatenatingBackboneWeightsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-concat-").FullName;

    [Theory]
    [InlineData("densenet121", 1024, 2)]
    [InlineData("regnet_y_400mf", 440, 2)]
    [InlineData("googlenet", 1024, 2)]
    [InlineData("inception_v3", 2048, 1)]
    public void TheWholeNetworksFile_LoadsWithoutAReport_AuxiliaryClassifiersIncluded(string architecture, long channels, long side)
    {
        var parsed = ArchitectureNames.Parse(architecture);
        var path = Path.Combine(_folder, architecture + ".pth");
        var discarded = new List<nn.Module>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var stages = TorchVisionCatalog.ConvolutionalBase(parsed, discarded, names);
        var size = architecture == "inception_v3" ? 96 : 64;
        var definition = new BackboneDefinition(parsed, WeightsKind.ImageNet, null, [3, size, size], [channels, side, side], 3, BatchNormMode.Frozen, "");

        // Every tensor name of the network, once (no module registered twice), the auxiliary classifiers included.
        using (var source = new Backbone(definition, stages, Preprocessing.ImageNet))
        {
            Assert.DoesNotContain(names, n => n.Contains("._", StringComparison.Ordinal) || n.StartsWith('_'));
            Assert.All(source.state_dict().Keys, name => Assert.Contains(name, names));
            Assert.Contains(names, n => n.StartsWith(architecture switch { "googlenet" => "aux2.", "inception_v3" => "AuxLogits.", "densenet121" => "classifier.", _ => "fc." }, StringComparison.Ordinal));
            foreach (var module in discarded)
            {
                module.Dispose();
            }
        }

        // The whole network written by TorchSharp under the same names.
        using var full = architecture switch
        {
            "googlenet" => Inception.GoogLeNet(),
            "inception_v3" => Inception.InceptionV3(),
            "densenet121" => DenseNet.Build(architecture),
            _ => RegNet.Build(architecture),
        };
        Assert.Equal(names.Order(StringComparer.Ordinal), full.state_dict().Keys.Order(StringComparer.Ordinal));
        full.save_py(path);

        var logger = new CapturingLogger();
        using var backbone = BackboneFactory.Create(definition, new ModelOptions { WeightsPath = path, Logger = logger }, pretrained: true);
        Assert.Empty(logger.Of(LogEvents.UnusedWeights));
        // No module is ever registered twice (TorchSharp's RegisterComponents would add module-typed fields under
        // their field names), whatever has walked the modules: a forward, eval, the exporter's named_children.
        backbone.eval();
        using (var scope = NewDisposeScope())
        {
            backbone.forward(zeros(1, 3, size, size));
        }

        Assert.DoesNotContain(backbone.named_modules(), m => m.name.Split('.').Any(part => part.StartsWith('_')));
        var first = backbone.named_parameters().First();
        using var expected = full.state_dict()[first.name].detach().clone();
        Assert.True(first.parameter.Identical(expected));
    }

    [Fact]
    public void DenseNetsLegacyNames_LoadAsTorchVisionLoadsThem()
    {
        var discarded = new List<nn.Module>();
        var stages = TorchVisionCatalog.ConvolutionalBase(Architecture.DenseNet121, discarded);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        var definition = new BackboneDefinition(Architecture.DenseNet121, WeightsKind.ImageNet, null, [3, 64, 64], [1024, 2, 2], 3, BatchNormMode.Frozen, "");
        using var backbone = new Backbone(definition, stages, Preprocessing.ImageNet);
        using var scope = NewDisposeScope();

        // The official file's names: features.denseblock1.denselayer1.norm.1.weight, ... conv.2.weight.
        // Old files lack BatchNorm's counter (num_batches_tracked), as the official one does.
        var legacy = backbone.state_dict().Where(entry => !entry.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToDictionary(
            entry => System.Text.RegularExpressions.Regex.Replace(entry.Key, @"(denselayer\d+\.(?:norm|conv))([12])\.", "$1.$2."),
            entry => full_like(entry.Value, 0.5));
        Assert.Contains("features.denseblock1.denselayer1.norm.1.weight", legacy.Keys);
        Assert.Contains("features.denseblock4.denselayer16.conv.2.weight", legacy.Keys);
        Assert.Equal("features.denseblock1.denselayer1.norm1.running_var", LegacyTensorNames.Current("features.denseblock1.denselayer1.norm.1.running_var"));
        Assert.Equal("features.norm5.weight", LegacyTensorNames.Current("features.norm5.weight"));

        var unused = WeightsLoader.Load(backbone, legacy, "densenet121-legacy.pth");

        Assert.Empty(unused);
        Assert.Equal(0.5f, backbone.state_dict()["features.denseblock2.denselayer7.conv2.weight"].mean().ToSingle());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
