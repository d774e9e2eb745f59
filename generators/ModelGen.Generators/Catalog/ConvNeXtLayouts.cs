namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's ConvNeXt <c>features</c> (tiny, small, base): a 4x4 stride-4 stem with LayerNorm2d
/// (<c>features.0</c>), four stages of CNBlocks (<c>features.1</c>, <c>.3</c>, <c>.5</c>, <c>.7</c>) and a
/// LayerNorm2d with a 2x2 stride-2 convolution between them. A CNBlock's <c>block</c> runs its LayerNorm
/// and Linears channels last, between two Permutes; its shapes are written channels first here.
/// </summary>
internal static class ConvNeXtLayouts
{
    public static BackboneLayout Build(string architecture, FeatureMap input)
    {
        var (channels, blocks) = architecture switch
        {
            "convnext_tiny" => (new long[] { 96, 192, 384, 768 }, new[] { 3, 3, 9, 3 }),
            "convnext_small" => (new long[] { 96, 192, 384, 768 }, new[] { 3, 3, 27, 3 }),
            _ => (new long[] { 128, 256, 512, 1024 }, new[] { 3, 3, 27, 3 }), // convnext_base
        };

        var layout = new LayoutBuilder(architecture, input);
        layout.Open("features", "Sequential", isChain: true);
        layout.ConvNormActivation("0", channels[0], kernel: 4, stride: 4, norm: "LayerNorm2d", padding: 0, bias: true);
        var index = 1;
        for (var stage = 0; stage < channels.Length; stage++)
        {
            var dim = channels[stage];
            layout.Open((index++).ToString(), "Sequential", isChain: true);
            for (var i = 0; i < blocks[stage]; i++)
            {
                layout.Open(i.ToString(), "CNBlock", isChain: false);
                layout.OwnParameter("layer_scale", dim, 1, 1);
                layout.Open("block", "Sequential", isChain: true);
                layout.Conv("0", dim, kernel: 7, padding: 3, groups: (int)dim);
                layout.Activation("1", "Permute");
                layout.LayerNorm("2", "LayerNorm");
                layout.Linear("3", 4 * dim);
                layout.Activation("4", "GELU");
                layout.Linear("5", dim);
                layout.Activation("6", "Permute");
                layout.Close();
                layout.Activation("stochastic_depth", "StochasticDepth");
                layout.Close(residual: true);
            }

            layout.Close();
            if (stage + 1 < channels.Length)
            {
                layout.Open((index++).ToString(), "Sequential", isChain: true);
                layout.LayerNorm("0", "LayerNorm2d");
                layout.Conv("1", channels[stage + 1], kernel: 2, stride: 2);
                layout.Close();
            }
        }

        layout.Close();
        layout.Stages("features.1", "features.3", "features.5", "features.7");
        return layout.Build(defaultCut: "features");
    }
}
