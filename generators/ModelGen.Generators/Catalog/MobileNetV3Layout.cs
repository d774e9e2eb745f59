namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's MobileNetV3 <c>features</c> (large and small): a 3x3 stride-2 stem with hardswish,
/// inverted residual blocks (<c>block</c>: expand 1x1, depthwise kxk, squeeze-excitation with
/// hardsigmoid where the table says, project 1x1; a shortcut where stride is 1 and channels match) and a
/// 1x1 convolution to six times the last block's channels (576 or 960).
/// </summary>
internal static class MobileNetV3Layout
{
    // Input, kernel, expanded, output channels, squeeze-excitation, hardswish, stride (torchvision's table).
    private static readonly (int In, int K, int Exp, int Out, bool Se, bool Hs, int S)[] Large =
    [
        (16, 3, 16, 16, false, false, 1), (16, 3, 64, 24, false, false, 2), (24, 3, 72, 24, false, false, 1),
        (24, 5, 72, 40, true, false, 2), (40, 5, 120, 40, true, false, 1), (40, 5, 120, 40, true, false, 1),
        (40, 3, 240, 80, false, true, 2), (80, 3, 200, 80, false, true, 1), (80, 3, 184, 80, false, true, 1),
        (80, 3, 184, 80, false, true, 1), (80, 3, 480, 112, true, true, 1), (112, 3, 672, 112, true, true, 1),
        (112, 5, 672, 160, true, true, 2), (160, 5, 960, 160, true, true, 1), (160, 5, 960, 160, true, true, 1),
    ];

    private static readonly (int In, int K, int Exp, int Out, bool Se, bool Hs, int S)[] Small =
    [
        (16, 3, 16, 16, true, false, 2), (16, 3, 72, 24, false, false, 2), (24, 3, 88, 24, false, false, 1),
        (24, 5, 96, 40, true, true, 2), (40, 5, 240, 40, true, true, 1), (40, 5, 240, 40, true, true, 1),
        (40, 5, 120, 48, true, true, 1), (48, 5, 144, 48, true, true, 1), (48, 5, 288, 96, true, true, 2),
        (96, 5, 576, 96, true, true, 1), (96, 5, 576, 96, true, true, 1),
    ];

    public static BackboneLayout Build(string architecture, FeatureMap input)
    {
        var large = architecture == "mobilenet_v3_large";
        var settings = large ? Large : Small;
        var layout = new LayoutBuilder(architecture, input);
        layout.Open("features", "Sequential", isChain: true);
        layout.ConvNormActivation("0", settings[0].In, kernel: 3, stride: 2, activation: "Hardswish");
        var index = 1;
        foreach (var (inChannels, kernel, expanded, output, se, hardswish, stride) in settings)
        {
            var activation = hardswish ? "Hardswish" : "ReLU";
            layout.Open((index++).ToString(), "InvertedResidual", isChain: false);
            layout.Open("block", "Sequential", isChain: true);
            var part = 0;
            if (expanded != inChannels)
            {
                layout.ConvNormActivation((part++).ToString(), expanded, kernel: 1, activation: activation);
            }

            layout.ConvNormActivation((part++).ToString(), expanded, kernel: kernel, stride: stride, groups: expanded, activation: activation);
            if (se)
            {
                layout.SqueezeExcitation((part++).ToString(), LayoutBlocks.MakeDivisible(expanded / 4), "ReLU", "Hardsigmoid");
            }

            layout.ConvNormActivation(part.ToString(), output, kernel: 1);
            layout.Close();
            layout.Close(residual: stride == 1 && inChannels == output);
        }

        layout.ConvNormActivation(index.ToString(), 6L * settings[settings.Length - 1].Out, kernel: 1, activation: "Hardswish");
        layout.Close();
        if (large)
        {
            layout.Stages("features.3", "features.6", "features.12", "features.16");
        }
        else
        {
            layout.Stages("features.1", "features.3", "features.8", "features.12");
        }

        return layout.Build(defaultCut: "features");
    }
}
