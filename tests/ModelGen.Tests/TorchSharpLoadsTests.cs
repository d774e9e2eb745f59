using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests;

/// <summary>
/// This project only sets UseModelGen; TorchSharp must then load and compute, on Debian 12 too
/// (where the build patched libLibTorchSharp.so in the output folder).
/// </summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void Tensors_AreCreatedAndMultipliedOnTheCpu()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        using var b = ones(3, 2);

        using var product = a.matmul(b);

        Assert.Equal(new long[] { 2, 2 }, product.shape);
        Assert.Equal(new float[] { 6, 6, 15, 15 }, product.data<float>().ToArray());
        Assert.Equal(DeviceType.CPU, product.device_type);
    }

    [Fact]
    public void Convolution_RunsThroughTheNativeKernels()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(3, 4, kernel_size: 3, padding: 1);
        var input = rand(2, 3, 8, 8);

        var output = conv.forward(input);

        Assert.Equal(new long[] { 2, 4, 8, 8 }, output.shape);
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void TheLoadedLibTorchSharp_IsTheCopyInTheOutputFolder()
    {
        // Force the native load, then look at what the process mapped.
        using var _ = zeros(1);
        var mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line[(line.IndexOf('/') is var i and >= 0 ? i : line.Length)..])
            .Where(path => path.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        var path = Assert.Single(mapped);
        Assert.StartsWith(AppContext.BaseDirectory, path);
    }
}
