using static TorchSharp.torch;

namespace ModelGen.Tests;

/// <summary>LibTorch's float32 convolutions against float64, with ModelGen's oneDNN guard in place (see OneDnnIsa).</summary>
public sealed class OneDnnIsaTests
{
    [Fact]
    public void TheConvolutionOneDnnsAvx512KernelGetsWrong_IsRight()
    {
        var error = OneDnnIsa.AffectedConvolutionError();
        Assert.True(error < OneDnnIsa.Tolerance, $"max error {error:G3}; oneDNN {OneDnnIsa.Ensure()}");
    }

    // Without the guard, on a 2-core AMD EPYC with AVX-512, every 24-input-channel case with more than one image failed.
    [Theory]
    [InlineData(24, 64, 2, 2)]
    [InlineData(24, 48, 7, 8)]
    [InlineData(24, 64, 14, 32)]
    [InlineData(16, 32, 7, 2)]
    [InlineData(40, 80, 5, 4)]
    [InlineData(3, 64, 28, 2)]
    public void Float32Convolutions_MatchFloat64(int inChannels, int outChannels, int size, int batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new TorchSharp.torch.Generator(7);
        var input = randn([batch, inChannels, size, size], ScalarType.Float64, generator: generator);
        var weight = randn([outChannels, inChannels, 3, 3], ScalarType.Float64, generator: generator) * 0.1;
        var exact = nn.functional.conv2d(input, weight, padding: [1, 1]);
        var single = nn.functional.conv2d(input.to_type(ScalarType.Float32), weight.to_type(ScalarType.Float32), padding: [1, 1]);
        var error = (single.to_type(ScalarType.Float64) - exact).abs().max().item<double>();
        Assert.True(error < 1e-4 * Math.Max(1, exact.abs().max().item<double>()), $"max error {error:G3}; oneDNN {OneDnnIsa.Ensure()}");
    }
}
