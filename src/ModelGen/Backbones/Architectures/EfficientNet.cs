using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's EfficientNet B0..B4 and V2-S: <c>features</c> is a 3x3 stem with SiLU, one chain of
/// MBConv (or FusedMBConv) blocks per stage and a 1x1 convolution to the last channels. Stochastic depth
/// grows linearly over the blocks to 0.2; BatchNorm is PyTorch's default for B0..B4 and eps 0.001 for V2.
/// </summary>
internal static class EfficientNet
{
    /// <summary>
    /// One stage of torchvision's table, already scaled: expand ratio, kernel, first stride, input and
    /// output channels, number of blocks, and whether the blocks are FusedMBConv.
    /// </summary>
    public readonly record struct StageSetting(double ExpandRatio, int Kernel, int Stride, long Input, long Output, int Blocks, bool Fused);

    /// <summary>The stages of an EfficientNet by its torchvision name, and its last channels.</summary>
    public static (StageSetting[] Stages, long LastChannel, double BatchNormEps) Settings(string architecture)
    {
        if (architecture == "efficientnet_v2_s")
        {
            return (
            [
                new(1, 3, 1, 24, 24, 2, true),
                new(4, 3, 2, 24, 48, 4, true),
                new(4, 3, 2, 48, 64, 4, true),
                new(4, 3, 2, 64, 128, 6, false),
                new(6, 3, 1, 128, 160, 9, false),
                new(6, 3, 2, 160, 256, 15, false),
            ], 1280, 1e-3);
        }

        var (width, depth) = architecture switch
        {
            "efficientnet_b0" => (1.0, 1.0),
            "efficientnet_b1" => (1.0, 1.1),
            "efficientnet_b2" => (1.1, 1.2),
            "efficientnet_b3" => (1.2, 1.4),
            "efficientnet_b4" => (1.4, 1.8),
            _ => throw new ArgumentException($"'{architecture}' is not an EfficientNet of the catalog.", nameof(architecture)),
        };

        StageSetting Stage(double expand, int kernel, int stride, int input, int output, int blocks) =>
            new(expand, kernel, stride, Blocks.MakeDivisible(input * width), Blocks.MakeDivisible(output * width), (int)Math.Ceiling(blocks * depth), false);

        var stages = new[]
        {
            Stage(1, 3, 1, 32, 16, 1),
            Stage(6, 3, 2, 16, 24, 2),
            Stage(6, 5, 2, 24, 40, 2),
            Stage(6, 3, 2, 40, 80, 3),
            Stage(6, 5, 1, 80, 112, 3),
            Stage(6, 5, 2, 112, 192, 4),
            Stage(6, 3, 1, 192, 320, 1),
        };
        return (stages, 4 * stages[^1].Output, 1e-5);
    }

    public static nn.Module Build(string architecture)
    {
        const double StochasticDepthProbability = 0.2;
        var (stages, lastChannel, eps) = Settings(architecture);
        var norm = Blocks.BatchNorm(eps: eps);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", Blocks.ConvNormActivation(3, stages[0].Input, 3, stride: 2, norm: norm, activation: () => nn.SiLU())),
        };
        var total = stages.Sum(s => s.Blocks);
        var blockId = 0;
        foreach (var stage in stages)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var i = 0; i < stage.Blocks; i++)
            {
                var input = i == 0 ? stage.Input : stage.Output;
                var stride = i == 0 ? stage.Stride : 1;
                var drop = StochasticDepthProbability * blockId / total;
                var block = stage.Fused
                    ? FusedMBConv(stage.ExpandRatio, stage.Kernel, stride, input, stage.Output, drop, norm)
                    : MBConv(stage.ExpandRatio, stage.Kernel, stride, input, stage.Output, drop, norm);
                blocks.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
                blockId++;
            }

            layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), nn.Sequential(blocks)));
        }

        layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Blocks.ConvNormActivation(stages[^1].Output, lastChannel, 1, norm: norm, activation: () => nn.SiLU())));
        var classifier = nn.Sequential(("0", nn.Dropout(0.2)), ("1", nn.Linear(lastChannel, 1000)));
        return new ClassificationNetwork(architecture, nn.Sequential(layers), classifier, flatten: true);
    }

    /// <summary>torchvision's <c>MBConv</c>: expand 1x1 (when the ratio is not 1), depthwise kxk, squeeze-excitation, project 1x1.</summary>
    private static ResidualBlock MBConv(double expandRatio, int kernel, int stride, long input, long output, double drop, Func<long, nn.Module<Tensor, Tensor>> norm)
    {
        var expanded = Blocks.MakeDivisible(input * expandRatio);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        string Next() => layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (expanded != input)
        {
            layers.Add((Next(), Blocks.ConvNormActivation(input, expanded, 1, norm: norm, activation: () => nn.SiLU())));
        }

        layers.Add((Next(), Blocks.ConvNormActivation(expanded, expanded, kernel, stride: stride, groups: expanded, norm: norm, activation: () => nn.SiLU())));
        layers.Add((Next(), new SqueezeExcitation(expanded, Math.Max(1, input / 4), nn.SiLU(), nn.Sigmoid())));
        layers.Add((Next(), Blocks.ConvNormActivation(expanded, output, 1, norm: norm)));
        return new ResidualBlock(nameof(MBConv), nn.Sequential(layers), shortcut: stride == 1 && input == output, dropProbability: drop);
    }

    /// <summary>torchvision's <c>FusedMBConv</c>: a kxk expansion and a 1x1 projection, or one kxk convolution when the ratio is 1.</summary>
    private static ResidualBlock FusedMBConv(double expandRatio, int kernel, int stride, long input, long output, double drop, Func<long, nn.Module<Tensor, Tensor>> norm)
    {
        var expanded = Blocks.MakeDivisible(input * expandRatio);
        var block = expanded != input
            ? nn.Sequential(
                ("0", Blocks.ConvNormActivation(input, expanded, kernel, stride: stride, norm: norm, activation: () => nn.SiLU())),
                ("1", Blocks.ConvNormActivation(expanded, output, 1, norm: norm)))
            : nn.Sequential(("0", Blocks.ConvNormActivation(input, output, kernel, stride: stride, norm: norm, activation: () => nn.SiLU())));
        return new ResidualBlock(nameof(FusedMBConv), block, shortcut: stride == 1 && input == output, dropProbability: drop);
    }
}
