using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>PyTorch's initialisations that TorchSharp lacks or gives otherwise.</summary>
internal static class Initialization
{
    /// <summary>
    /// PyTorch's <c>nn.init.trunc_normal_(tensor, std=std)</c>: a normal of mean 0 and standard deviation
    /// <paramref name="std"/>, cut to the absolute bounds [-2, 2] (its defaults, which for the small deviations used
    /// here never bind). TorchSharp 0.107's <c>trunc_normal_</c>, called so, left
    /// a Swin's layers with weights millions of times smaller than asked (its features all but constant), so it is not used.
    /// </summary>
    public static void TruncatedNormal(Tensor tensor, double std)
    {
        using var noGrad = no_grad();
        tensor.normal_(0, std).clamp_(-2, 2);
    }
}
