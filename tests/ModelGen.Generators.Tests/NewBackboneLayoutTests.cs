using ModelGen.Generators.Catalog;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The layouts of MobileNetV3, EfficientNet and ConvNeXt against torchvision 0.14 at 224 (the shapes of
/// docs/backbones.md and the parameter counts of torchvision's <c>features</c>), their stage aliases and
/// their cuts in a spec.
/// </summary>
public sealed class NewBackboneLayoutTests
{
    private static readonly FeatureMap Input224 = new(3, 224, 224);

    [Theory]
    [InlineData("mobilenet_v3_small", "features.1", "features.3", "features.8", "features.12", 16, 24, 48, 576)]
    [InlineData("mobilenet_v3_large", "features.3", "features.6", "features.12", "features.16", 24, 40, 112, 960)]
    [InlineData("efficientnet_b0", "features.2", "features.3", "features.5", "features.8", 24, 40, 112, 1280)]
    [InlineData("efficientnet_b1", "features.2", "features.3", "features.5", "features.8", 24, 40, 112, 1280)]
    [InlineData("efficientnet_b2", "features.2", "features.3", "features.5", "features.8", 24, 48, 120, 1408)]
    [InlineData("efficientnet_b3", "features.2", "features.3", "features.5", "features.8", 32, 48, 136, 1536)]
    [InlineData("efficientnet_b4", "features.2", "features.3", "features.5", "features.8", 32, 56, 160, 1792)]
    [InlineData("efficientnet_v2_s", "features.2", "features.3", "features.5", "features.7", 48, 64, 160, 1280)]
    [InlineData("convnext_tiny", "features.1", "features.3", "features.5", "features.7", 96, 192, 384, 768)]
    [InlineData("convnext_small", "features.1", "features.3", "features.5", "features.7", 96, 192, 384, 768)]
    [InlineData("convnext_base", "features.1", "features.3", "features.5", "features.7", 128, 256, 512, 1024)]
    public void StageAliases_NameTheLastLayerAtEachStride_WithTorchvisionsShapes(string architecture, string stage1, string stage2, string stage3, string stage4, long c1, long c2, long c3, long c4)
    {
        var layout = BackboneCatalog.Build(architecture, Input224);
        var expected = new[] { (stage1, new FeatureMap(c1, 56, 56)), (stage2, new FeatureMap(c2, 28, 28)), (stage3, new FeatureMap(c3, 14, 14)), (stage4, new FeatureMap(c4, 7, 7)) };
        for (var i = 0; i < expected.Length; i++)
        {
            var (path, shape) = expected[i];
            var alias = layout.FindAlias($"stage{i + 1}");
            Assert.NotNull(alias);
            Assert.False(alias.IsSummaryRow);
            Assert.Equal(path, alias.Last);
            var layer = layout.Find(path)!;
            Assert.True(layer.CanCut, path);
            Assert.Equal(shape, layer.Output);
        }

        Assert.Equal("features", layout.DefaultCut);
        Assert.Equal(new FeatureMap(c4, 7, 7), layout.Find("features")!.Output);
    }

    [Theory]
    [InlineData("mobilenet_v3_small", 927_008)]
    [InlineData("mobilenet_v3_large", 2_971_952)]
    [InlineData("efficientnet_b0", 4_007_548)]
    [InlineData("efficientnet_b1", 6_513_184)]
    [InlineData("efficientnet_b2", 7_700_994)]
    [InlineData("efficientnet_b3", 10_696_232)]
    [InlineData("efficientnet_b4", 17_548_616)]
    [InlineData("efficientnet_v2_s", 20_177_488)]
    [InlineData("convnext_tiny", 27_818_592)]
    [InlineData("convnext_small", 49_453_152)]
    [InlineData("convnext_base", 87_564_416)]
    public void Features_HaveTorchvisionsParameterCount(string architecture, long parameters)
    {
        var layout = BackboneCatalog.Build(architecture, Input224);
        Assert.Equal(parameters, layout.Parameters.Sum(p => p.Elements));
        Assert.Equal(parameters, layout.Find("features")!.Parameters);
    }

    [Theory]
    [InlineData("mobilenet_v3_large", "stage3")]
    [InlineData("efficientnet_b0", "features.3.1")]
    [InlineData("efficientnet_v2_s", "STAGE2")]
    [InlineData("convnext_tiny", "stage2")]
    [InlineData("convnext_base", "features.0.1")]
    public void ASpec_CutsAtAStageOrAModulePath(string architecture, string cut)
    {
        var run = GeneratorHarness.Run(("m.model.yaml", $"model: M\ninput: {{ size: 96 }}\nbackbone:\n  architecture: {architecture}\n  weights: none\n  truncate_at: {cut}\nfreeze: all\nhead: [global_avg_pool, {{ dense: 2, activation: softmax }}]\n"));
        Assert.True(run.Diagnostics.Count == 0, string.Join("\n", run.Diagnostics.Select(d => d.ToString())));
        Assert.Contains(run.ModelFiles, file => file.Contains($"cut at {cut};", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("mobilenet_v3_small")]
    [InlineData("efficientnet_b2")]
    [InlineData("convnext_small")]
    public void ASpec_FreezesUpToAStage_AtTheDefaultCut(string architecture)
    {
        var run = GeneratorHarness.Run(("m.model.yaml", $"model: M\ninput: {{ size: 128 }}\nbackbone:\n  architecture: {architecture}\n  weights: none\nfreeze: {{ trainable_from: stage3 }}\nhead: [global_avg_pool, {{ dense: 2, activation: softmax }}]\n"));
        Assert.True(run.Diagnostics.Count == 0, string.Join("\n", run.Diagnostics.Select(d => d.ToString())));
        Assert.Contains(run.ModelFiles, file => file.Contains("cut at features;", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("convnext_tiny", "features.1.0.block.3", "CNBlock", "features.1.0")]
    [InlineData("efficientnet_b0", "features.2.0.block.1", "MBConv", "features.2.0")]
    [InlineData("mobilenet_v3_small", "features.1.block.0", "InvertedResidual", "features.1")]
    public void ASpec_CannotCutInsideABlock(string architecture, string cut, string type, string block)
    {
        var run = GeneratorHarness.Run(("m.model.yaml", $"model: M\ninput: {{ size: 96 }}\nbackbone:\n  architecture: {architecture}\n  weights: none\n  truncate_at: {cut}\nhead: [global_avg_pool, {{ dense: 2, activation: softmax }}]\n"));
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal("MG0018", diagnostic.Id);
        Assert.Contains($"inside the {type} '{block}'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
