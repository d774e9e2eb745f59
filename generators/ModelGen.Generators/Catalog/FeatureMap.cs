using System;

namespace ModelGen.Generators.Catalog;

/// <summary>The shape of one sample's activations: channels x height x width (no batch dimension).</summary>
internal readonly record struct FeatureMap(long Channels, long Height, long Width)
{
    public bool IsEmpty => Channels <= 0 || Height <= 0 || Width <= 0;

    public long Elements => Channels * Height * Width;

    public override string ToString() => $"{Channels}x{Height}x{Width}";

    /// <summary>The output length of a convolution or pooling window along one axis (PyTorch's formula).</summary>
    public static long WindowOutput(long size, int kernel, int stride, int padBefore, int padAfter, int dilation, bool ceilMode)
    {
        var span = size + padBefore + padAfter - (dilation * (kernel - 1)) - 1;
        if (span < 0)
        {
            return 0;
        }

        var output = ceilMode ? (long)Math.Ceiling(span / (double)stride) + 1 : (span / stride) + 1;

        // PyTorch's ceil mode: the last window must start inside the input or the left padding.
        if (ceilMode && (output - 1) * stride >= size + padBefore)
        {
            output--;
        }

        return output;
    }
}
