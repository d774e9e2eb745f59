using ModelGen.Generators.Catalog;
using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// DenseNet, RegNet, GoogLeNet and Inception v3 at build time: the RegNet widths against torchvision's, the
/// layouts' parameter counts and feature shapes against torchvision 0.14's (numbers from its models), the
/// stage names, and the diagnostics for cuts inside concatenating blocks and for inputs too small.
/// </summary>
public sealed class ConcatenatingBackboneTests
{
    private const string Head = "head: [global_avg_pool, { dense: 2, activation: softmax }]\n";

    [Theory]
    [InlineData("regnet_y_400mf", "1-48-8 3-104-8 6-208-8 6-440-8")]
    [InlineData("regnet_y_800mf", "1-64-16 3-144-16 8-320-16 2-784-16")]
    [InlineData("regnet_y_1_6gf", "2-48-24 6-120-24 17-336-24 2-888-24")]
    [InlineData("regnet_y_3_2gf", "2-72-24 5-216-24 13-576-24 1-1512-24")]
    public void RegNetStages_AreTorchVisionsBlockParams(string architecture, string depthWidthGroup)
    {
        // torchvision 0.14: BlockParams.from_init_params(...).depths / .widths / .group_widths, read back
        // from the layout: blocks per stage, the stage's channels, the grouped convolution's input per group.
        var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, 224, 224));
        var stages = Enumerable.Range(1, 4).Select(s =>
        {
            var prefix = $"trunk_output.block{s}.block{s}-";
            var depth = layout.Layers.Count(l => l.Name.StartsWith(prefix, StringComparison.Ordinal) && !l.Name.Substring(prefix.Length).Contains('.', StringComparison.Ordinal));
            var width = layout.Find($"trunk_output.block{s}")!.Output.Channels;
            var groupWidth = layout.Parameters.Single(p => p.Name == $"{prefix}0.f.b.0.weight").Shape[1];
            return $"{depth}-{width}-{groupWidth}";
        });
        Assert.Equal(depthWidthGroup, string.Join(" ", stages));
    }

    [Theory]
    [InlineData("densenet121", 6953856, "1024x7x7")]
    [InlineData("densenet169", 12484480, "1664x7x7")]
    [InlineData("regnet_y_400mf", 3903144, "440x7x7")]
    [InlineData("regnet_y_800mf", 5647512, "784x7x7")]
    [InlineData("regnet_y_1_6gf", 10313430, "888x7x7")]
    [InlineData("regnet_y_3_2gf", 17923338, "1512x7x7")]
    [InlineData("googlenet", 5599904, "1024x7x7")]
    [InlineData("inception_v3", 21785568, "2048x5x5")]
    public void Layout_HasTorchVisionsParametersAndFeatureShape(string architecture, long parameters, string featureShape)
    {
        // torchvision's parameter count without the classifier and auxiliary classifiers; features at 224.
        var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, 224, 224));
        Assert.Equal(parameters, layout.Parameters.Sum(p => p.Elements));
        Assert.Equal(featureShape, layout.Find(layout.DefaultCut)!.Output.ToString());
        Assert.Null(layout.MismatchBlock);
        Assert.Null(layout.CollapsedAt);
    }

    [Theory]
    [InlineData("densenet121", "128x56x56 256x28x28 512x14x14 1024x7x7")]
    [InlineData("densenet169", "128x56x56 256x28x28 640x14x14 1664x7x7")]
    [InlineData("regnet_y_400mf", "48x56x56 104x28x28 208x14x14 440x7x7")]
    [InlineData("regnet_y_3_2gf", "72x56x56 216x28x28 576x14x14 1512x7x7")]
    [InlineData("googlenet", "192x56x56 480x28x28 832x14x14 1024x7x7")]
    [InlineData("inception_v3", "192x52x52 288x25x25 768x12x12 2048x5x5")]
    public void Stages_AreTheEndsOfStrides4To32(string architecture, string shapes)
    {
        var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, 224, 224));
        var stages = Enumerable.Range(1, 4).Select(i => layout.FindAlias($"stage{i}")!).ToList();
        Assert.All(stages, s => Assert.False(s.IsSummaryRow));
        Assert.All(stages, s => Assert.True(layout.Find(s.Last)!.CanCut, s.Last));
        Assert.Equal(shapes, string.Join(" ", stages.Select(s => layout.Find(s.Last)!.Output.ToString())));
        Assert.Equal(layout.Find(layout.DefaultCut)!.Output, layout.Find(stages[3].Last)!.Output);
    }

    [Fact]
    public void InceptionV3_At299_GivesTheShapesOfItsWeights()
    {
        var layout = BackboneCatalog.Build("inception_v3", new FeatureMap(3, 299, 299));
        Assert.Equal("192x71x71 288x35x35 768x17x17 2048x8x8", string.Join(" ", Enumerable.Range(1, 4).Select(i => layout.Find(layout.FindAlias($"stage{i}")!.Last)!.Output.ToString())));
    }

    [Theory]
    [InlineData("densenet121", "relu")]
    [InlineData("densenet121", "stage2")]
    [InlineData("densenet121", "features.transition2.pool")]
    [InlineData("densenet121", "features.denseblock3")]
    [InlineData("regnet_y_800mf", "trunk_output.block3.block3-2")]
    [InlineData("regnet_y_800mf", "stage3")]
    [InlineData("googlenet", "inception4c")]
    [InlineData("inception_v3", "Mixed_6a")]
    [InlineData("inception_v3", "stage1")]
    public void Cut_AtAStageOrAModulePath_Compiles(string architecture, string cut)
    {
        var run = GeneratorHarness.Run(("spec.model.yaml", $"model: M\ninput: {{ size: 224 }}\nbackbone: {{ architecture: {architecture}, truncate_at: {cut} }}\n" + Head));
        Assert.Empty(run.Diagnostics);
        Assert.Equal(3, run.ModelFiles.Count);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }

    [Theory]
    [InlineData("densenet121", "features.denseblock2.denselayer3", "'features.denseblock2'")]
    [InlineData("regnet_y_400mf", "trunk_output.block2.block2-0.f.se", "'trunk_output.block2.block2-0'")]
    [InlineData("googlenet", "inception4a.branch2", "'inception4a'")]
    [InlineData("inception_v3", "Mixed_7b.branch3x3_2a", "'Mixed_7b'")]
    public void Cut_InsideAConcatenatingOrResidualBlock_IsMG0018(string architecture, string cut, string block)
    {
        var run = GeneratorHarness.Run(("spec.model.yaml", $"model: M\ninput: {{ size: 224 }}\nbackbone: {{ architecture: {architecture}, truncate_at: {cut} }}\n" + Head));
        var diagnostic = Assert.Single(run.Diagnostics, d => d.Id == "MG0018");
        Assert.Contains(block, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void InceptionV3_Below75_IsMG0016WithTheMinimum()
    {
        var run = GeneratorHarness.Run(("spec.model.yaml", "model: M\ninput: { size: 74 }\nbackbone: { architecture: inception_v3 }\n" + Head));
        var diagnostic = Assert.Single(run.Diagnostics, d => d.Id == "MG0016");
        Assert.Contains("75x75", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Null(BackboneCatalog.Build("inception_v3", new FeatureMap(3, 75, 75)).CollapsedAt);
    }
}
