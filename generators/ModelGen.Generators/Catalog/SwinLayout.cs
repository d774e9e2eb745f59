namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's SwinTransformer (v1) without its classifier: <c>features</c>, a chain of the patch embedding
/// <c>features.0</c> (a 4x4 convolution with stride 4, channels last, a layer norm), four stages of Swin blocks
/// (<c>features.1</c>, <c>.3</c>, <c>.5</c>, <c>.7</c>; windowed self-attention, shifted in every second block, and an MLP,
/// each residual) with patch merging between them (<c>features.2</c>, <c>.4</c>, <c>.6</c>: 2x2 neighbours concatenated,
/// normalised and projected to twice the channels, halving height and width, rounding up), then <c>norm</c>.
/// torchvision runs it channels last; ModelGen's features are channels first, so every cut gives [C, H, W].
/// Friendly cuts stage1..stage4 (stride 4..32) are the ends of the four stages, before the final <c>norm</c>.
/// </summary>
internal static class SwinLayout
{
    public static BackboneLayout Build(string name, FeatureMap input)
    {
        const long Embed = 96;
        const int Window = 7;
        int[] depths = [2, 2, 6, 2];
        int[] heads = [3, 6, 12, 24];
        var layout = new LayoutBuilder(name, input);
        layout.Open("features", "Sequential", isChain: true);
        layout.Open("0", "Sequential", isChain: false);
        layout.Conv("0", Embed, kernel: 4, stride: 4);
        layout.Activation("1", "Permute");
        layout.LayerNorm("2");
        layout.Close();
        var index = 1;
        for (var stage = 0; stage < 4; stage++)
        {
            var dim = Embed << stage;
            var stageName = (index++).ToString();
            layout.Open(stageName, "Sequential", isChain: true);
            for (var b = 0; b < depths[stage]; b++)
            {
                layout.Open(b.ToString(), "SwinTransformerBlock", isChain: false);
                layout.LayerNorm("norm1");
                layout.Open("attn", "ShiftedWindowAttention", isChain: false);
                layout.Parameter("relative_position_bias_table", [((2 * Window) - 1) * ((2 * Window) - 1), heads[stage]], layout.Current);
                layout.Linear("qkv", 3 * dim);
                layout.Linear("proj", dim, inFeatures: dim);
                layout.Close();
                layout.Activation("stochastic_depth", "StochasticDepth");
                layout.LayerNorm("norm2");
                layout.Open("mlp", "MLP", isChain: true);
                layout.Linear("0", 4 * dim);
                layout.Activation("1", "GELU");
                layout.Activation("2", "Dropout");
                layout.Linear("3", dim);
                layout.Activation("4", "Dropout");
                layout.Close();
                layout.Close();
            }

            layout.Close();
            if (stage < 3)
            {
                // PatchMerging registers reduction before norm (the state_dict order); it runs the norm first.
                layout.Open((index++).ToString(), "PatchMerging", isChain: false);
                var current = layout.Current;
                layout.Reshape(new FeatureMap(4 * dim, (current.Height + 1) / 2, (current.Width + 1) / 2));
                layout.Linear("reduction", 2 * dim, bias: false);
                layout.LayerNorm("norm", 4 * dim);
                layout.Close();
            }
        }

        layout.Close();
        layout.LayerNorm("norm");
        layout.Stages("features.1", "features.3", "features.5", "features.7");
        return layout.Build(defaultCut: "norm");
    }
}
