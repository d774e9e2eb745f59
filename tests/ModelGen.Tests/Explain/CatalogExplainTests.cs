using ModelGen.Backbones;
using ModelGen.Heads;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Explain;

/// <summary>Grad-CAM works on a backbone of every catalog family (random weights, cut early, a small input).</summary>
[Collection(nameof(TorchRandomness))]
public sealed class CatalogExplainTests
{
    private const int Size = 64;

    [Theory]
    [InlineData("vgg11", "features.10")]
    [InlineData("vgg11_bn", "features.14")]
    [InlineData("resnet18", "layer2")]
    [InlineData("resnext50_32x4d", "layer1")]
    [InlineData("alexnet", "features.5")]
    [InlineData("mobilenet_v2", "features.7")]
    public void Explain_OnEachFamily_GivesANormalisedMapOfTheInputSize(string architecture, string cutAt)
    {
        using var backbone = CutBackbone(architecture, cutAt);
        long[] shape;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            backbone.eval();
            shape = [.. backbone.call(zeros(1, 3, Size, Size)).shape.Skip(1)];
        }

        using var head = new Head(shape, [HeadLayer.GlobalAveragePool(), HeadLayer.Dense(3)]);
        var pixels = Enumerable.Range(0, 3 * Size * Size).Select(i => (float)((i * 7919) % 251) / 250f).ToArray();

        using var explanation = ModelRuntime.Explain(backbone, head, pixels, 1, ["a", "b", "c"], i => i, CPU);

        Assert.True(shape[1] > 1 && shape[2] > 1, $"{architecture} cut at {cutAt} gives {string.Join("x", shape)}: no spatial map to explain");
        Assert.Equal([Size, Size], explanation.Heatmap.shape);
        var values = explanation.Heatmap.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v is >= 0f and <= 1f, $"heatmap value {v}"));
        Assert.True(values.Max() == 1f || values.All(v => v == 0f), $"maximum {values.Max()}");
        Assert.All(backbone.parameters().Concat(head.parameters()), p => Assert.True(p.grad is null));
    }

    private static Backbone CutBackbone(string architecture, string cutAt)
    {
        manual_seed(7);
        var discarded = new List<nn.Module>();
        var stages = ModuleCutter.Cut(TorchVisionCatalog.ConvolutionalBase(ArchitectureNames.Parse(architecture), discarded), cutAt, discarded);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        var definition = new BackboneDefinition(ArchitectureNames.Parse(architecture), WeightsKind.None, cutAt, [3, Size, Size], [0, 0, 0], 3, BatchNormMode.Frozen, "");
        return new Backbone(definition, stages, Preprocessing.ImageNet);
    }
}
