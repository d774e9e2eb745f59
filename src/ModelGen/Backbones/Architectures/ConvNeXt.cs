using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's ConvNeXt (tiny, small, base): <c>features</c> is a 4x4 stride-4 stem with LayerNorm2d,
/// then four stages of CNBlocks with a downsampling LayerNorm2d and 2x2 stride-2 convolution between
/// them. Stochastic depth grows linearly over the blocks; layer scale starts at 1e-6.
/// </summary>
internal static class ConvNeXt
{
    private const double LayerNormEps = 1e-6;

    /// <summary>The channels and blocks of each stage, and the final stochastic depth probability.</summary>
    public static (long[] Channels, int[] Blocks, double StochasticDepth) Settings(string architecture) => architecture switch
    {
        "convnext_tiny" => ([96, 192, 384, 768], [3, 3, 9, 3], 0.1),
        "convnext_small" => ([96, 192, 384, 768], [3, 3, 27, 3], 0.4),
        "convnext_base" => ([128, 256, 512, 1024], [3, 3, 27, 3], 0.5),
        _ => throw new ArgumentException($"'{architecture}' is not a ConvNeXt of the catalog.", nameof(architecture)),
    };

    public static nn.Module Build(string architecture)
    {
        var (channels, blocks, stochasticDepth) = Settings(architecture);
        Func<long, nn.Module<Tensor, Tensor>> norm = c => new LayerNorm2d(c, LayerNormEps);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", Blocks.ConvNormActivation(3, channels[0], 4, stride: 4, norm: norm, padding: 0, bias: true)),
        };
        var total = blocks.Sum();
        var blockId = 0;
        for (var stage = 0; stage < channels.Length; stage++)
        {
            var stageBlocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var i = 0; i < blocks[stage]; i++)
            {
                var drop = stochasticDepth * blockId / (total - 1.0);
                stageBlocks.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), CNBlock(channels[stage], 1e-6, drop)));
                blockId++;
            }

            layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), nn.Sequential(stageBlocks)));
            if (stage + 1 < channels.Length)
            {
                layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), nn.Sequential(
                    ("0", norm(channels[stage])),
                    ("1", nn.Conv2d(channels[stage], channels[stage + 1], 2, stride: 2)))));
            }
        }

        var last = channels[^1];
        var classifier = nn.Sequential(
            ("0", norm(last)),
            ("1", nn.Flatten(1)),
            ("2", nn.Linear(last, 1000)));
        return new ClassificationNetwork(architecture, nn.Sequential(layers), classifier, flatten: false);
    }

    /// <summary>
    /// torchvision's <c>CNBlock</c>: depthwise 7x7, then (channels last) LayerNorm, Linear to 4x, GELU,
    /// Linear back, scaled per channel by <c>layer_scale</c>, stochastic depth, plus the input.
    /// </summary>
    private static ResidualBlock CNBlock(long dim, double layerScale, double drop)
    {
        var block = nn.Sequential(
            ("0", nn.Conv2d(dim, dim, 7, padding: 3, groups: dim, bias: true)),
            ("1", new Permute(0, 2, 3, 1)),
            ("2", nn.LayerNorm(dim, eps: LayerNormEps)),
            ("3", nn.Linear(dim, 4 * dim)),
            ("4", nn.GELU()),
            ("5", nn.Linear(4 * dim, dim)),
            ("6", new Permute(0, 3, 1, 2)));
        return new ResidualBlock(nameof(CNBlock), block, shortcut: true, dropProbability: drop, layerScale: new Parameter(full(dim, 1, 1, layerScale)));
    }
}
