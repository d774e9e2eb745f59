using ModelGen.Data;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>A feature set after Dispose says so, instead of TorchSharp's "Tensor invalid -- empty handle" (issue 17 item 8).</summary>
public sealed class FeatureSetTests
{
    [Fact]
    public void UsingADisposedFeatureSet_SaysItWasDisposed()
    {
        var set = new FeatureSet(zeros(4, 2, 1, 1), tensor(new long[] { 0, 1, 0, 1 }), ["a", "b"], skipped: 0);
        Assert.Equal(4, set.Count);

        set.Dispose();

        foreach (var use in new Action[] { () => _ = set.Count, () => _ = set.SampleShape, () => _ = set.Batches(2).First(), () => _ = set.Features })
        {
            var error = Assert.Throws<ObjectDisposedException>(use);
            Assert.Contains("FeatureSet was disposed", error.Message, StringComparison.Ordinal);
            Assert.Contains("call Extract again", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["a", "b"], set.Classes); // what is not a tensor stays readable
        set.Dispose(); // twice is harmless
    }
}
