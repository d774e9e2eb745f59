using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen;

/// <summary>The channel order images are fed in.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision).</summary>
    Rgb,

    /// <summary>Blue, green, red (Caffe and CNTK models such as resnet18_mlnet).</summary>
    Bgr,
}

/// <summary>
/// How a backbone's weights expect pixels: channel order, scale and normalisation. It travels with the
/// weights: torchvision's ImageNet models take RGB in [0, 1] normalised by mean and std; CNTK's ResNet18
/// takes BGR in [0, 255] minus a mean image.
/// </summary>
/// <param name="Order">The channel order.</param>
/// <param name="Scale">Multiplies pixels in [0, 1] (1 for [0, 1], 255 for [0, 255]).</param>
/// <param name="Mean">Per-channel mean subtracted after scaling (in <paramref name="Order"/>).</param>
/// <param name="Std">Per-channel divisor after subtracting the mean.</param>
/// <param name="MeanImage">Optional per-pixel mean [3, H, W] subtracted instead of <paramref name="Mean"/>; resized to the input.</param>
public sealed record Preprocessing(ChannelOrder Order, float Scale, float[] Mean, float[] Std, Tensor? MeanImage = null)
{
    /// <summary>torchvision's ImageNet normalisation.</summary>
    public static Preprocessing ImageNet { get; } = new(ChannelOrder.Rgb, 1f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>A short description for cache keys and logs.</summary>
    public string Describe() =>
        $"{Order} x{Scale} mean[{string.Join(",", Mean)}] std[{string.Join(",", Std)}]{(MeanImage is null ? "" : " mean-image" + string.Join("x", MeanImage.shape))}";

    /// <summary>
    /// Turns a batch of RGB images in [0, 1] ([N, 3, H, W], float32) into what the network expects.
    /// The result is a new tensor; the input is not changed.
    /// </summary>
    public Tensor Apply(Tensor rgb)
    {
        using var scope = NewDisposeScope();
        var x = Order == ChannelOrder.Bgr ? rgb.flip(1) : rgb.alias();
        if (Scale != 1f)
        {
            x = x * Scale;
        }

        if (MeanImage is not null)
        {
            var mean = MeanImage.shape[1] == x.shape[2] && MeanImage.shape[2] == x.shape[3]
                ? MeanImage
                : nn.functional.interpolate(MeanImage.unsqueeze(0), [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0);
            x = x - mean.to(x.device);
        }
        else
        {
            x = x - tensor(Mean, device: x.device).view(1, 3, 1, 1);
        }

        if (Std.Any(s => s != 1f))
        {
            x = x / tensor(Std, device: x.device).view(1, 3, 1, 1);
        }

        return x.MoveToOuterDisposeScope();
    }
}
