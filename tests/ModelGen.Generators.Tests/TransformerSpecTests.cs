using ModelGen.Generators.Tests.Infrastructure;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Specs with the transformer backbones build without diagnostics and carry the shapes the runtime checks: a ViT's
/// tokens at any multiple of its patch (the summary's rows, a token head), Swin's channels-first maps at any size
/// (its friendly stage cuts, a pooling head).
/// </summary>
public sealed class TransformerSpecTests
{
    [Theory]
    [InlineData("vit_b_16", "size: 224", "", "token_mean", "197, 768")]
    [InlineData("vit_b_32", "size: [96, 160]", "truncate_at: block3", "class_token", "16, 768")]
    [InlineData("vit_b_16", "size: 64", "truncate_at: encoder.layers.encoder_layer_11", "class_token", "17, 768")]
    [InlineData("swin_t", "size: 224", "", "global_avg_pool", "768, 7, 7")]
    [InlineData("swin_t", "size: [100, 72]", "truncate_at: stage3", "global_max_pool", "384, 7, 5")]
    [InlineData("swin_t", "size: 224", "truncate_at: stage1", "flatten", "96, 56, 56")]
    public void ASpec_Builds_WithTheFeatureShapeTheRuntimeChecks(string architecture, string size, string cut, string pooling, string shape)
    {
        var spec = $"model: M\ninput: {{ {size} }}\nbackbone: {{ architecture: {architecture}, weights: none{(cut.Length > 0 ? ", " + cut : "")} }}\nhead: [{pooling}, {{ dense: 3, activation: softmax }}]\n";

        var run = GeneratorHarness.Run(("m.model.yaml", spec));

        Assert.Empty(run.Diagnostics);
        Assert.Contains($"public static long[] FeatureShape => new long[] {{ {shape} }};", run.ModelSources);
        Assert.Empty(GeneratorHarness.CompileProblems(run.Output));
    }

    [Fact]
    public void SwinSummary_HasARowPerBlockAndPatchMerging_AndTheFinalNorm()
    {
        var run = GeneratorHarness.Run(("m.model.yaml", "model: M\ninput: { size: 224 }\nbackbone: { architecture: swin_t }\nfreeze: { trainable_from: stage4 }\nhead: [global_avg_pool, { dense: 2 }]\n"));

        Assert.Empty(run.Diagnostics);
        var summary = run.ModelSources;
        Assert.Contains("features.0 (Sequential)", summary);
        Assert.Contains("features.5.5 (SwinTransformerBlock)", summary);
        Assert.Contains("features.6 (PatchMerging)", summary);
        Assert.Contains("norm (LayerNorm)", summary);
        Assert.Contains("Total params: 27,520,892", summary);
    }
}
