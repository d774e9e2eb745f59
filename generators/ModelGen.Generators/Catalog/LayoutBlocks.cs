namespace ModelGen.Generators.Catalog;

/// <summary>The blocks torchvision's newer networks share (<c>torchvision.ops.misc</c>), laid out with their module names.</summary>
internal static class LayoutBlocks
{
    /// <summary>
    /// torchvision's <c>Conv2dNormActivation</c>: a chain of <c>0</c> (convolution, padding (k-1)/2 unless
    /// given, bias only without a norm), <c>1</c> (BatchNorm2d or LayerNorm2d, when given) and the activation.
    /// </summary>
    public static void ConvNormActivation(
        this LayoutBuilder layout,
        string name,
        long channels,
        int kernel,
        int stride = 1,
        int groups = 1,
        string? norm = "BatchNorm2d",
        string? activation = null,
        int? padding = null,
        bool? bias = null)
    {
        layout.Open(name, "Conv2dNormActivation", isChain: true);
        layout.Conv("0", channels, kernel: kernel, stride: stride, padding: padding ?? ((kernel - 1) / 2), bias: bias ?? norm is null, groups: groups);
        var next = 1;
        if (norm == "BatchNorm2d")
        {
            layout.BatchNorm((next++).ToString());
        }
        else if (norm is not null)
        {
            layout.LayerNorm((next++).ToString(), norm);
        }

        if (activation is not null)
        {
            layout.Activation(next.ToString(), activation);
        }

        layout.Close();
    }

    /// <summary>torchvision's <c>_make_divisible(v, 8)</c>: the nearest multiple of 8, never more than 10% below.</summary>
    public static long MakeDivisible(double value, int divisor = 8)
    {
        var result = System.Math.Max(divisor, (long)(value + (divisor / 2.0)) / divisor * divisor);
        return result < 0.9 * value ? result + divisor : result;
    }
}
