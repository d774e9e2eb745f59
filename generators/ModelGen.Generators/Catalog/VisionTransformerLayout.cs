using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's VisionTransformer without its <c>heads</c>: the class token, the patch projection
/// <c>conv_proj</c> (a convolution with kernel and stride the patch size), and the <c>encoder</c>: the position
/// embedding, dropout, the chain <c>encoder.layers</c> of <c>encoder_layer_N</c> blocks (pre-norm self-attention
/// and MLP, each residual) and the final layer norm <c>encoder.ln</c>. Its features are tokens [1 + patches, width],
/// the class token first. The position embedding has one entry per token of the layout's input size (the
/// runtime interpolates 224's when it loads weights for another size). Summary rows: the class token,
/// <c>conv_proj</c>, the position embedding, <c>block1</c>..<c>block12</c> (the encoder blocks) and <c>encoder.ln</c>.
/// </summary>
internal static class VisionTransformerLayout
{
    /// <summary>The side of a patch in pixels: 16 for vit_b_16, 32 for vit_b_32.</summary>
    public static int PatchSize(Architecture architecture) => architecture == Architecture.VitB32 ? 32 : 16;

    public static BackboneLayout Build(Architecture architecture, string name, FeatureMap input)
    {
        const int Layers = 12;
        const long Width = 768;
        const long MlpWidth = 3072;
        var patch = PatchSize(architecture);
        var layout = new LayoutBuilder(name, input);
        layout.Parameter("class_token", [1, 1, Width], FeatureMap.Tokens(1, Width));
        layout.Row("class_token", "class_token");
        layout.Conv("conv_proj", Width, kernel: patch, stride: patch);
        layout.NotACutPoint();
        layout.Row("conv_proj", "conv_proj");
        var grid = layout.Current;
        var tokens = 1 + (grid.Height * grid.Width);
        layout.Reshape(FeatureMap.Tokens(tokens, Width));

        layout.Open("encoder", "Encoder", isChain: true);
        layout.Parameter("pos_embedding", [1, tokens, Width], layout.Current);
        layout.Row("encoder.pos_embedding", "encoder.pos_embedding");
        layout.Activation("dropout", "Dropout");
        layout.Open("layers", "Sequential", isChain: true);
        for (var i = 0; i < Layers; i++)
        {
            layout.Open($"encoder_layer_{i}", "EncoderBlock", isChain: false);
            layout.LayerNorm("ln_1");
            layout.Open("self_attention", "MultiheadAttention", isChain: false);
            layout.Parameter("in_proj_weight", [3 * Width, Width], layout.Current);
            layout.Parameter("in_proj_bias", [3 * Width], layout.Current);
            layout.Linear("out_proj", Width, "NonDynamicallyQuantizableLinear");
            layout.Close();
            layout.Activation("dropout", "Dropout");
            layout.LayerNorm("ln_2");
            layout.Open("mlp", "MLPBlock", isChain: true);
            layout.Linear("0", MlpWidth);
            layout.Activation("1", "GELU");
            layout.Activation("2", "Dropout");
            layout.Linear("3", Width);
            layout.Activation("4", "Dropout");
            layout.Close();
            layout.Close();
            layout.Row($"block{i + 1}", $"encoder.layers.encoder_layer_{i}");
        }

        layout.Close();
        layout.LayerNorm("ln");
        layout.Row("encoder.ln", "encoder.ln");
        layout.Close();
        return layout.Build(defaultCut: "encoder.ln");
    }
}
