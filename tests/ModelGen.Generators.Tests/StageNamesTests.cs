using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>The stage names every family shares (stage1..stage4) cut and freeze like the module paths they stand for.</summary>
public sealed class StageNamesTests
{
    private const string Head = "head: [global_avg_pool, { dense: 2, activation: softmax }]\n";

    [Theory]
    [InlineData("resnet18", "stage3", "layer3", "256, 14, 14")]
    [InlineData("resnet50", "stage1", "layer1", "256, 56, 56")]
    [InlineData("vgg16", "stage2", "features.16", "256, 28, 28")]
    [InlineData("vgg16_bn", "stage4", "features.43", "512, 7, 7")]
    [InlineData("alexnet", "stage1", "features.1", "64, 55, 55")]
    [InlineData("mobilenet_v2", "STAGE3", "features.13", "96, 14, 14")]
    [InlineData("resnet18_mlnet", "stage2", "layer2", "128, 28, 28")]
    [InlineData("swin_t", "stage3", "features.5", "384, 14, 14")]
    public void AStageName_CutsAtItsModulePath(string architecture, string stage, string path, string shape)
    {
        var run = GeneratorHarness.Run(("a.model.yaml",
            $"model: M\ninput: {{ size: 224 }}\nbackbone: {{ architecture: {architecture}, truncate_at: {stage} }}\n" + Head));

        Assert.Empty(run.Diagnostics);
        Assert.Contains($"CutAt: \"{path}\",", run.ModelSources);
        Assert.Contains($"FeatureShape => new long[] {{ {shape} }};", run.ModelSources);
    }

    [Fact]
    public void TrainableFromAStage_StartsWhereThePreviousStageEnds()
    {
        var byStage = GeneratorHarness.Run(("a.model.yaml",
            "model: M\ninput: { size: 64 }\nbackbone: { architecture: vgg16 }\nfreeze: { trainable_from: stage4 }\n" + Head));
        var byPath = GeneratorHarness.Run(("a.model.yaml",
            "model: M\ninput: { size: 64 }\nbackbone: { architecture: vgg16 }\nfreeze: { trainable_from: features.24 }\n" + Head));

        Assert.Empty(byStage.Diagnostics);
        Assert.Empty(byPath.Diagnostics);
        Assert.Contains("TrainableFrom(\"features.24.weight\")", Freezing(byPath.ModelSources));
        Assert.Equal(Freezing(byPath.ModelSources), Freezing(byStage.ModelSources));
    }

    [Fact]
    public void AStageNameBeyondTheCut_IsTheUsualError()
    {
        var run = GeneratorHarness.Run(("a.model.yaml",
            "model: M\ninput: { size: 64 }\nbackbone: { architecture: resnet18, truncate_at: stage2 }\nfreeze: { trainable_from: stage4 }\n" + Head));

        Assert.Contains(run.Diagnostics, d => d.Id == "MG0014");
    }

    private static string Freezing(string sources) =>
        string.Join("\n", System.Text.RegularExpressions.Regex.Matches(sources, @"FreezeBoundary\.\w+\([^)]*\)").Select(m => m.Value));
}
