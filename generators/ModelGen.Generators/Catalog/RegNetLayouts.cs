using ModelGen.Shared;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's RegNetY 400MF, 800MF, 1.6GF and 3.2GF: a 3x3 stride-2 <c>stem</c> and <c>trunk_output</c>
/// with four stages (<c>block1</c>..<c>block4</c>) of residual bottleneck blocks (1x1, grouped 3x3 with
/// the stage's stride, squeeze-excitation, 1x1; a projection shortcut where the shape changes), with the
/// widths and groups of <see cref="RegNetSettings"/>.
/// </summary>
internal static class RegNetLayouts
{
    public static BackboneLayout Build(string architecture, FeatureMap input)
    {
        var layout = new LayoutBuilder(architecture, input);
        layout.Open("stem", "SimpleStemIN", isChain: true);
        layout.Conv("0", RegNetSettings.StemWidth, kernel: 3, stride: 2, padding: 1, bias: false);
        layout.BatchNorm("1");
        layout.Activation("2", "ReLU");
        layout.Close();

        layout.Open("trunk_output", "Sequential", isChain: true);
        long widthIn = RegNetSettings.StemWidth;
        var stages = RegNetSettings.Stages(architecture);
        for (var s = 0; s < stages.Count; s++)
        {
            var (depth, width, groupWidth) = stages[s];
            layout.Open($"block{s + 1}", "AnyStage", isChain: true);
            for (var b = 0; b < depth; b++)
            {
                var stride = b == 0 ? 2 : 1;
                layout.Open($"block{s + 1}-{b}", "ResBottleneckBlock", isChain: false);
                if (widthIn != width || stride != 1)
                {
                    layout.Open("proj", "Conv2dNormActivation", isChain: true);
                    layout.Conv("0", width, kernel: 1, stride: stride, bias: false);
                    layout.BatchNorm("1");
                    layout.Close();
                    layout.BeginShortcut();
                }

                layout.Open("f", "BottleneckTransform", isChain: true);
                ConvNormActivation(layout, "a", width, kernel: 1, stride: 1, groups: 1, activation: true);
                ConvNormActivation(layout, "b", width, kernel: 3, stride: stride, groups: width / groupWidth, activation: true);
                layout.SqueezeExcitation("se", RegNetSettings.SqueezeChannels((int)widthIn));
                ConvNormActivation(layout, "c", width, kernel: 1, stride: 1, groups: 1, activation: false);
                layout.Close();
                layout.Activation("activation", "ReLU");
                layout.Close(residual: true);
                widthIn = width;
            }

            layout.Close();
        }

        layout.Close();
        layout.Stages("trunk_output.block1", "trunk_output.block2", "trunk_output.block3", "trunk_output.block4");
        return layout.Build(defaultCut: "trunk_output");
    }

    private static void ConvNormActivation(LayoutBuilder layout, string name, long channels, int kernel, int stride, int groups, bool activation)
    {
        layout.Open(name, "Conv2dNormActivation", isChain: true);
        layout.Conv("0", channels, kernel: kernel, stride: stride, padding: (kernel - 1) / 2, bias: false, groups: groups);
        layout.BatchNorm("1");
        if (activation)
        {
            layout.Activation("2", "ReLU");
        }

        layout.Close();
    }
}
