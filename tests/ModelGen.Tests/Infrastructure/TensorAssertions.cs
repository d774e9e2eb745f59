using static TorchSharp.torch;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Tensor comparisons for assertions.</summary>
internal static class TensorAssertions
{
    /// <summary>Same shape and bit-identical values.</summary>
    public static bool Identical(this Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            return false;
        }

        using var equal = a.eq(b);
        using var all = equal.all();
        return all.item<bool>();
    }
}
