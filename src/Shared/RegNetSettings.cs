using System;
using System.Collections.Generic;

namespace ModelGen.Shared;

/// <summary>
/// The stage settings of torchvision's RegNetY models, computed as torchvision's
/// <c>BlockParams.from_init_params</c> computes them (quantised linear widths in log space, then widths
/// adjusted to the group width), shared by the generator's layout and the runtime's modules so the two
/// can never disagree.
/// </summary>
/// <remarks>
/// torchvision computes in float32 tensors; this computes in double. Every value that is rounded lies far
/// from a rounding boundary for the four catalog models (the nearest: a block capacity of 2.4931 for
/// regnet_y_1_6gf, 0.007 from the boundary, against float32 errors near 1e-7), so both give the same
/// integers; tests pin the resulting tables against torchvision's.
/// </remarks>
internal static class RegNetSettings
{
    private const int Quant = 8;

    /// <summary>The settings torchvision 0.14 passes to <c>from_init_params</c> (depth, w_0, w_a, w_m, group width).</summary>
    public static (int Depth, int W0, double Wa, double Wm, int GroupWidth)? InitParams(string architecture) => architecture switch
    {
        "regnet_y_400mf" => (16, 48, 27.89, 2.09, 8),
        "regnet_y_800mf" => (14, 56, 38.84, 2.4, 16),
        "regnet_y_1_6gf" => (27, 48, 20.71, 2.65, 24),
        "regnet_y_3_2gf" => (21, 80, 42.63, 2.66, 24),
        _ => null,
    };

    /// <summary>The width of the stem (torchvision's default).</summary>
    public const int StemWidth = 32;

    /// <summary>The squeeze-excitation ratio of the RegNetY models, relative to a block's input width.</summary>
    public const double SeRatio = 0.25;

    /// <summary>
    /// Per stage: depth (blocks), output width and group width; the bottleneck multiplier is 1 and every
    /// stage starts with stride 2. Empty for an architecture that is not a catalog RegNet.
    /// </summary>
    public static IReadOnlyList<(int Depth, int Width, int GroupWidth)> Stages(string architecture)
    {
        if (InitParams(architecture) is not { } p)
        {
            return [];
        }

        // Block widths: w_0 * w_m^round(log(w_j / w_0) / log(w_m)), quantised to multiples of 8.
        var blockWidths = new int[p.Depth];
        for (var j = 0; j < p.Depth; j++)
        {
            var continuous = (j * p.Wa) + p.W0;
            var capacity = Math.Round(Math.Log(continuous / p.W0) / Math.Log(p.Wm), MidpointRounding.ToEven);
            blockWidths[j] = (int)(Math.Round(p.W0 * Math.Pow(p.Wm, capacity) / Quant, MidpointRounding.ToEven) * Quant);
        }

        // Stages: runs of equal width.
        var stages = new List<(int Depth, int Width, int GroupWidth)>();
        var start = 0;
        for (var j = 1; j <= p.Depth; j++)
        {
            if (j == p.Depth || blockWidths[j] != blockWidths[start])
            {
                // _adjust_widths_groups_compatibilty with bottleneck multiplier 1.
                var width = blockWidths[start];
                var groupWidth = Math.Min(p.GroupWidth, width);
                stages.Add((j - start, MakeDivisible(width, groupWidth), groupWidth));
                start = j;
            }
        }

        return stages;
    }

    /// <summary>The squeeze channels of a block whose input has <paramref name="widthIn"/> channels: int(round(0.25 * w)).</summary>
    public static int SqueezeChannels(int widthIn) => (int)Math.Round(SeRatio * widthIn, MidpointRounding.ToEven);

    /// <summary>torchvision's <c>_make_divisible</c>: the nearest multiple of <paramref name="divisor"/>, not below 90% of <paramref name="value"/>.</summary>
    private static int MakeDivisible(int value, int divisor)
    {
        var rounded = Math.Max(divisor, (value + (divisor / 2)) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }
}
