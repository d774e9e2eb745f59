namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's MobileNetV2 <c>features</c>: a 3x3 stem, 17 inverted residual blocks (expand 1x1,
/// depthwise 3x3, project 1x1; a shortcut where stride is 1 and channels match) and a 1x1 to 1280.
/// </summary>
internal static class MobileNetV2Layout
{
    // Expansion t, output channels c, repeats n, first stride s (torchvision's table).
    private static readonly (int T, int C, int N, int S)[] Settings =
    [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ];

    public static BackboneLayout Build(FeatureMap input)
    {
        var layout = new LayoutBuilder("mobilenet_v2", input);
        layout.Open("features", "Sequential", isChain: true);
        ConvBnReLU6(layout, "0", 32, kernel: 3, stride: 2, groups: 1);

        var index = 1;
        long inChannels = 32;
        foreach (var (t, c, n, s) in Settings)
        {
            for (var i = 0; i < n; i++)
            {
                var stride = i == 0 ? s : 1;
                var hidden = inChannels * t;
                var shortcut = stride == 1 && inChannels == c;
                layout.Open((index++).ToString(), "InvertedResidual", isChain: false);
                layout.Open("conv", "Sequential", isChain: true);
                var part = 0;
                if (t != 1)
                {
                    ConvBnReLU6(layout, (part++).ToString(), hidden, kernel: 1, stride: 1, groups: 1);
                }

                ConvBnReLU6(layout, (part++).ToString(), hidden, kernel: 3, stride: stride, groups: (int)hidden);
                layout.Conv((part++).ToString(), c, kernel: 1, bias: false);
                layout.BatchNorm(part.ToString());
                layout.Close();
                layout.Close(residual: shortcut);
                inChannels = c;
            }
        }

        ConvBnReLU6(layout, index.ToString(), 1280, kernel: 1, stride: 1, groups: 1);
        layout.Close();
        layout.Stages("features.3", "features.6", "features.13", "features." + index);
        return layout.Build(defaultCut: "features." + index);
    }

    private static void ConvBnReLU6(LayoutBuilder layout, string name, long channels, int kernel, int stride, int groups)
    {
        layout.Open(name, "Sequential", isChain: true);
        layout.Conv("0", channels, kernel: kernel, stride: stride, padding: (kernel - 1) / 2, bias: false, groups: groups);
        layout.BatchNorm("1");
        layout.Activation("2", "ReLU6");
        layout.Close();
    }
}
