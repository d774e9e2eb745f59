using ModelGen.Backbones;
using ModelGen.Backbones.Architectures;
using ModelGen.Export;
using ModelGen.Heads;
using ModelGen.Runtime;
using ModelGen.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones;

/// <summary>
/// The transformers at run time beyond parity (see Parity/TransformerParityTests): the head layers that read a ViT's
/// tokens, weights of 224x224 loaded at another size (the position embedding resized), the clear errors of the
/// features they do not support yet (Grad-CAM on tokens, ONNX export), and Grad-CAM on Swin's channels-first maps.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class VisionTransformerTests
{
    [Fact]
    public void ClassToken_ReadsTokenZero_AndTokenMean_AveragesThePatchTokensWithoutIt()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var tokens = randn(2, 5, 8);
        using var classHead = new Head([5, 8], [HeadLayer.ClassToken(), HeadLayer.Dense(3)]);
        using var meanHead = new Head([5, 8], [HeadLayer.TokenMean(), HeadLayer.Dense(3)]);
        using var noGrad = no_grad();

        var fromClass = classHead.call(tokens);
        var fromMean = meanHead.call(tokens);

        var classDense = classHead.Dense(1);
        var meanDense = meanHead.Dense(1);
        Assert.True(fromClass.allclose(nn.functional.linear(tokens[.., 0], classDense.weight!, classDense.bias)));
        Assert.True(fromMean.allclose(nn.functional.linear(tokens[.., 1..].mean([1]), meanDense.weight!, meanDense.bias)));
        Assert.Equal(8, classDense.weight!.shape[1]);
    }

    [Fact]
    public void AHeadOfTheWrongKind_IsRefusedWithWhatWouldFit()
    {
        var pooling = Assert.Throws<ArgumentException>(() => new Head([197, 768], [HeadLayer.GlobalAveragePool(), HeadLayer.Dense(2)]));
        var token = Assert.Throws<ArgumentException>(() => new Head([512, 7, 7], [HeadLayer.ClassToken(), HeadLayer.Dense(2)]));

        Assert.Contains("class_token or token_mean", pooling.Message);
        Assert.Contains("global_avg_pool", token.Message);
    }

    [Fact]
    public void WeightsOf224_LoadAtAnotherSize_WithThePositionEmbeddingResized()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var trained = Create(224, 224, cut: null);
        using var small = Create(96, 64, cut: "encoder.layers.encoder_layer_1");
        var source = trained.state_dict().ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

        var unused = BackboneFactory.LoadAdapted(small, source, "test weights", small.AdaptWeights!);

        var loaded = small.state_dict();
        using var expected = VisionTransformer.ResizePositionEmbedding(source["encoder.pos_embedding"], 3, 2)!;
        Assert.Equal(new long[] { 1, 7, 768 }, loaded["encoder.pos_embedding"].shape);
        Assert.True(loaded["encoder.pos_embedding"].Identical(expected));
        Assert.True(loaded["encoder.pos_embedding"][.., 0].Identical(source["encoder.pos_embedding"][.., 0]), "the class token's entry is kept as it is");
        foreach (var (name, tensor) in loaded.Where(e => e.Key != "encoder.pos_embedding"))
        {
            Assert.True(tensor.Identical(source[name]), name);
        }

        Assert.Contains("encoder.ln.weight", unused);
        Assert.Contains("encoder.layers.encoder_layer_11.mlp.3.bias", unused);
    }

    [Fact]
    public void APositionEmbeddingThatIsNotASquareGrid_IsRefusedByName()
    {
        using var embedding = zeros(1, 1 + 12, 4);

        var error = Assert.Throws<ModelGen.Weights.WeightsException>(() => VisionTransformer.ResizePositionEmbedding(embedding, 3, 3));

        Assert.Contains("encoder.pos_embedding", error.Message);
        Assert.Contains("square", error.Message);
    }

    [Fact]
    public void GradCamAndOnnxExport_RefuseTokenFeaturesClearly()
    {
        using var backbone = Create(32, 32, cut: "encoder.layers.encoder_layer_0");
        using var head = new Head([2, 768], [HeadLayer.ClassToken(), HeadLayer.Dense(2)]);

        var explain = Assert.Throws<InvalidOperationException>(() => ModelRuntime.Explain(backbone, head, new float[3 * 32 * 32], null, ["a", "b"], i => i, CPU));
        var export = Assert.Throws<NotSupportedException>(() => OnnxExporter.Build(backbone, head, new OnnxExportInfo("Vit", ["a", "b"], "vit_b_32")));

        Assert.Contains("tokens", explain.Message);
        Assert.Contains("vit_b_32", export.Message);
    }

    [Fact]
    public void Swin_GivesChannelsFirstMaps_ThatGradCamExplains_AndOnnxExportRefusesClearly()
    {
        manual_seed(3);
        var definition = new BackboneDefinition(Architecture.SwinT, WeightsKind.None, "stage2", [3, 64, 64], [192, 8, 8], 3, BatchNormMode.Frozen, "");
        using var backbone = BackboneFactory.Create(definition with { CutAt = "features.3" }, new ModelOptions(), pretrained: false);
        using var head = new Head([192, 8, 8], [HeadLayer.GlobalAveragePool(), HeadLayer.Dense(2)]);
        var pixels = Enumerable.Range(0, 3 * 64 * 64).Select(i => (float)((i * 7919) % 251) / 250f).ToArray();

        using var explanation = ModelRuntime.Explain(backbone, head, pixels, 1, ["a", "b"], i => i, CPU);
        var export = Assert.Throws<NotSupportedException>(() => OnnxExporter.Build(backbone, head, new OnnxExportInfo("Swin", ["a", "b"], "swin_t")));

        Assert.Equal([64, 64], explanation.Heatmap.shape);
        Assert.True(explanation.Heatmap.max().item<float>() is 1f or 0f);
        Assert.Contains("swin_t", export.Message);
    }

    [Theory]
    [InlineData("vit_b_32", "encoder.layers.encoder_layer_1", 64)]
    [InlineData("swin_t", "features.3", 32)]
    public void InTraining_EveryParameterGetsAGradient_AndTheOutputIsReproducibleInEvaluation(string architecture, string cut, int size)
    {
        // Fresh weights as torchvision initialises them: a Swin whose layers started near zero gave constant
        // features after the first patch merging, and no gradient to the weights beyond it.
        manual_seed(9);
        var parsed = ArchitectureNames.Parse(architecture);
        long[] shape = parsed == Architecture.SwinT ? [192, size / 8, size / 8] : [1 + (size / 32 * (size / 32)), 768];
        var definition = new BackboneDefinition(parsed, WeightsKind.None, cut, [3, size, size], shape, 3, BatchNormMode.Frozen, "");
        using var backbone = BackboneFactory.Create(definition, new ModelOptions(), pretrained: false);
        using var head = new Head(shape, [parsed == Architecture.SwinT ? HeadLayer.GlobalAveragePool() : HeadLayer.TokenMean(), HeadLayer.Dense(2)]);
        using var scope = NewDisposeScope();
        var images = randn(2, 3, size, size);

        backbone.train();
        var loss = head.call(backbone.call(images)).pow(2).sum();
        loss.backward();

        Assert.All(backbone.named_parameters(), p => Assert.True(p.parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"{p.name} got no gradient"));
        backbone.eval();
        using (no_grad())
        {
            Assert.True(backbone.call(images).Identical(backbone.call(images)), "evaluation is deterministic (dropout and stochastic depth off)");
        }
    }

    private static Backbone Create(int height, int width, string? cut)
    {
        var tokens = 1 + (height / 32 * (width / 32));
        var definition = new BackboneDefinition(Architecture.VitB32, WeightsKind.None, cut, [3, height, width], [tokens, 768], 3, BatchNormMode.Frozen, "");
        return BackboneFactory.Create(definition, new ModelOptions(), pretrained: false);
    }
}
