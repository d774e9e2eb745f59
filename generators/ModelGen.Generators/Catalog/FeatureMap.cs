using System;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// The shape of one sample's activations (no batch dimension): a feature map of channels x height x width, or,
/// for a transformer, tokens: <see cref="Height"/> tokens of <see cref="Channels"/> values each (width 1),
/// whose tensor shape is [tokens, width] (<see cref="Shape"/>).
/// </summary>
internal readonly record struct FeatureMap(long Channels, long Height, long Width)
{
    /// <summary>True for a transformer's tokens ([tokens, width]); false for a feature map ([channels, height, width]).</summary>
    public bool IsTokens { get; init; }

    public bool IsEmpty => Channels <= 0 || Height <= 0 || Width <= 0;

    public long Elements => Channels * Height * Width;

    /// <summary>The tensor shape of one sample: [channels, height, width], or [tokens, width] for tokens.</summary>
    public long[] Shape => IsTokens ? [Height, Channels] : [Channels, Height, Width];

    /// <summary><paramref name="count"/> tokens of <paramref name="width"/> values each.</summary>
    public static FeatureMap Tokens(long count, long width) => new(width, count, 1) { IsTokens = true };

    public override string ToString() => IsTokens ? $"{Height}x{Channels}" : $"{Channels}x{Height}x{Width}";

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
