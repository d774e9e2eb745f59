using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>
/// The sizes an imported graph may ask for, checked before anything is allocated. The rule is the weights
/// reader's: a file may not ask for memory it does not back. A layer's weights come from the file, so a
/// kernel_shape must match them; an attribute-given extent (kernel, stride, dilation, pad) is at most
/// <see cref="MaxExtent"/>; and a value computed while the graph runs holds at most
/// <see cref="ExpansionFactor"/> times the elements of the input the graph was given (and never less than
/// <see cref="MinimumBudget"/>): far more than any real network's widest activation, far less than the
/// gigabytes a forged attribute of a few bytes asks for.
/// </summary>
internal static class OnnxLimits
{
    /// <summary>The largest kernel, stride, dilation or pad an attribute may give (no image is this wide).</summary>
    public const long MaxExtent = 1 << 20;

    /// <summary>How many times the input's elements any computed value may hold.</summary>
    public const long ExpansionFactor = 256;

    /// <summary>The budget for small inputs: 16 M elements (64 MB of float32).</summary>
    public const long MinimumBudget = 1 << 24;

    /// <summary>The most elements a value computed from <paramref name="input"/> may hold.</summary>
    public static long Budget(Tensor input) => Math.Max(MinimumBudget, Product([input.numel(), ExpansionFactor]));

    /// <summary>The number of elements of <paramref name="shape"/>, saturating at <see cref="long.MaxValue"/> (0 when a dimension is 0 or less).</summary>
    public static long Product(IEnumerable<long> shape)
    {
        long product = 1;
        foreach (var dimension in shape)
        {
            if (dimension <= 0)
            {
                return 0;
            }

            product = product > long.MaxValue / dimension ? long.MaxValue : product * dimension;
        }

        return product;
    }

    /// <summary>A shape as ONNX tools print it: 1x3x224x224.</summary>
    public static string Format(IEnumerable<long> shape) => string.Join("x", shape);

    /// <summary>The shape NumPy broadcasting gives <paramref name="a"/> and <paramref name="b"/> (the larger size where they differ).</summary>
    public static long[] Broadcast(long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var shape = new long[rank];
        for (var i = 1; i <= rank; i++)
        {
            shape[rank - i] = Math.Max(i <= a.Length ? a[^i] : 1, i <= b.Length ? b[^i] : 1);
        }

        return shape;
    }
}
