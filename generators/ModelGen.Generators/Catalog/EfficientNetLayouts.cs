using System;
using System.Linq;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// torchvision's EfficientNet B0..B4 and V2-S <c>features</c>: a 3x3 stride-2 stem with SiLU, one chain of
/// blocks per stage (<c>features.1</c>.. ; MBConv: expand 1x1, depthwise kxk, squeeze-excitation, project
/// 1x1; V2's first stages FusedMBConv: kxk expansion and 1x1 projection) and a 1x1 convolution to the
/// last channels (1280 for B0, V2-S).
/// </summary>
internal static class EfficientNetLayouts
{
    public static BackboneLayout Build(string architecture, FeatureMap input)
    {
        var (stages, lastChannel) = Settings(architecture);
        var layout = new LayoutBuilder(architecture, input);
        layout.Open("features", "Sequential", isChain: true);
        layout.ConvNormActivation("0", stages[0].Input, kernel: 3, stride: 2, activation: "SiLU");
        var index = 1;
        foreach (var stage in stages)
        {
            layout.Open((index++).ToString(), "Sequential", isChain: true);
            for (var i = 0; i < stage.Blocks; i++)
            {
                var inChannels = i == 0 ? stage.Input : stage.Output;
                var stride = i == 0 ? stage.Stride : 1;
                var expanded = LayoutBlocks.MakeDivisible(inChannels * stage.Expand);
                layout.Open(i.ToString(), stage.Fused ? "FusedMBConv" : "MBConv", isChain: false);
                layout.Open("block", "Sequential", isChain: true);
                if (stage.Fused)
                {
                    if (expanded != inChannels)
                    {
                        layout.ConvNormActivation("0", expanded, kernel: stage.Kernel, stride: stride, activation: "SiLU");
                        layout.ConvNormActivation("1", stage.Output, kernel: 1);
                    }
                    else
                    {
                        layout.ConvNormActivation("0", stage.Output, kernel: stage.Kernel, stride: stride, activation: "SiLU");
                    }
                }
                else
                {
                    var part = 0;
                    if (expanded != inChannels)
                    {
                        layout.ConvNormActivation((part++).ToString(), expanded, kernel: 1, activation: "SiLU");
                    }

                    layout.ConvNormActivation((part++).ToString(), expanded, kernel: stage.Kernel, stride: stride, groups: (int)expanded, activation: "SiLU");
                    layout.SqueezeExcitation((part++).ToString(), Math.Max(1, inChannels / 4), "SiLU", "Sigmoid");
                    layout.ConvNormActivation(part.ToString(), stage.Output, kernel: 1);
                }

                layout.Close();
                var residual = stride == 1 && inChannels == stage.Output;
                if (residual)
                {
                    layout.Activation("stochastic_depth", "StochasticDepth");
                }

                layout.Close(residual: residual);
            }

            layout.Close();
        }

        layout.ConvNormActivation(index.ToString(), lastChannel, kernel: 1, activation: "SiLU");
        layout.Close();

        // The stages end at stride 4, 8, 16 and 32: B0..B4 have seven block stages, V2-S six.
        var last = index;
        layout.Stages("features.2", "features.3", "features.5", "features." + last);
        return layout.Build(defaultCut: "features");
    }

    private static ((double Expand, int Kernel, int Stride, long Input, long Output, int Blocks, bool Fused)[] Stages, long LastChannel) Settings(string architecture)
    {
        if (architecture == "efficientnet_v2_s")
        {
            return (
            [
                (1, 3, 1, 24, 24, 2, true), (4, 3, 2, 24, 48, 4, true), (4, 3, 2, 48, 64, 4, true),
                (4, 3, 2, 64, 128, 6, false), (6, 3, 1, 128, 160, 9, false), (6, 3, 2, 160, 256, 15, false),
            ], 1280);
        }

        var (width, depth) = architecture switch
        {
            "efficientnet_b0" => (1.0, 1.0),
            "efficientnet_b1" => (1.0, 1.1),
            "efficientnet_b2" => (1.1, 1.2),
            "efficientnet_b3" => (1.2, 1.4),
            _ => (1.4, 1.8), // efficientnet_b4
        };

        (double, int, int, long, long, int, bool) Stage(double expand, int kernel, int stride, int inChannels, int output, int blocks) =>
            (expand, kernel, stride, LayoutBlocks.MakeDivisible(inChannels * width), LayoutBlocks.MakeDivisible(output * width), (int)Math.Ceiling(blocks * depth), false);

        var stages = new[]
        {
            Stage(1, 3, 1, 32, 16, 1), Stage(6, 3, 2, 16, 24, 2), Stage(6, 5, 2, 24, 40, 2), Stage(6, 3, 2, 40, 80, 3),
            Stage(6, 5, 1, 80, 112, 3), Stage(6, 5, 2, 112, 192, 4), Stage(6, 3, 1, 192, 320, 1),
        };
        return (stages, 4 * stages.Last().Item5);
    }
}
