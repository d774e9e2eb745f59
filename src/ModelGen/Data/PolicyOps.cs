using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// RandAugment's operations on one image [C, H, W] of floats in [0, 1], with torchvision.transforms.v2's meanings
/// for float images: geometric ops sample the nearest pixel and fill with 0, colour ops blend with a degenerate image
/// and clamp to [0, 1], posterize keeps <c>bits</c> bits of [0, 1) (floor(x · 2^bits) / 2^bits), solarize inverts
/// values at or above the threshold, equalize works on the image as 8 bits (x · 255.999 truncated) like v2.
/// </summary>
internal static class PolicyOps
{
    /// <summary>Applies <paramref name="step"/>; returns a new tensor.</summary>
    public static Tensor Apply(Tensor image, PolicyStep step)
    {
        var height = image.shape[^2];
        var width = image.shape[^1];
        var m = step.Magnitude;
        return step.Op switch
        {
            // Shear about the top-left corner (torchvision's center=[0, 0]), angle atan(m).
            PolicyOp.ShearX => Affine(image, InverseAffine(-width / 2.0, -height / 2.0, 0, 0, Degrees(Math.Atan(m)), 0, 0)),
            PolicyOp.ShearY => Affine(image, InverseAffine(-width / 2.0, -height / 2.0, 0, 0, 0, Degrees(Math.Atan(m)), 0)),
            PolicyOp.TranslateX => Affine(image, InverseAffine(0, 0, Math.Truncate(m), 0, 0, 0, 0)),
            PolicyOp.TranslateY => Affine(image, InverseAffine(0, 0, 0, Math.Truncate(m), 0, 0, 0)),

            // Counter-clockwise for positive m, about the center (F.rotate passes -angle to the affine matrix).
            PolicyOp.Rotate => Affine(image, InverseAffine(0, 0, 0, 0, 0, 0, -m)),
            PolicyOp.Brightness => Blend(image, zeros_like(image), 1 + m),
            PolicyOp.Color => Blend(image, Grayscale(image).expand_as(image), 1 + m),
            PolicyOp.Contrast => Blend(image, Grayscale(image).mean(), 1 + m),
            PolicyOp.Sharpness => Blend(image, Smoothed(image), 1 + m),
            PolicyOp.Posterize => Posterize(image, (int)m),
            PolicyOp.Solarize => where(image >= m, 1 - image, image),
            PolicyOp.AutoContrast => AutoContrast(image),
            PolicyOp.Equalize => Equalize(image),
            _ => image.clone(),
        };
    }

    /// <summary>floor(x · 2^bits) / 2^bits, clamped to the top level.</summary>
    public static Tensor Posterize(Tensor image, int bits)
    {
        var levels = 1 << bits;
        return image.mul(levels).floor().clamp(0, levels - 1).div(levels);
    }

    /// <summary>
    /// torchvision's _get_inverse_affine_matrix: the map from an output pixel to its input pixel, both about the
    /// image center in pixels, for a rotation (degrees, clockwise as F.affine takes it), translation and shear.
    /// </summary>
    public static double[] InverseAffine(double centerX, double centerY, double translateX, double translateY, double shearX, double shearY, double angle)
    {
        var rot = angle * Math.PI / 180;
        var sx = shearX * Math.PI / 180;
        var sy = shearY * Math.PI / 180;
        var a = Math.Cos(rot - sy) / Math.Cos(sy);
        var b = (-Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy)) - Math.Sin(rot);
        var c = Math.Sin(rot - sy) / Math.Cos(sy);
        var d = (-Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy)) + Math.Cos(rot);
        var matrix = new[] { d, -b, 0.0, -c, a, 0.0 };
        matrix[2] += (matrix[0] * (-centerX - translateX)) + (matrix[1] * (-centerY - translateY)) + centerX;
        matrix[5] += (matrix[3] * (-centerX - translateX)) + (matrix[4] * (-centerY - translateY)) + centerY;
        return matrix;
    }

    private static double Degrees(double radians) => radians * 180 / Math.PI;

    /// <summary>Resamples through <paramref name="matrix"/> (pixels about the center), nearest pixel, 0 outside.</summary>
    private static Tensor Affine(Tensor image, double[] matrix)
    {
        using var scope = NewDisposeScope();
        double height = image.shape[^2], width = image.shape[^1];
        var theta = new[]
        {
            (float)matrix[0], (float)(matrix[1] * height / width), (float)(matrix[2] * 2 / width),
            (float)(matrix[3] * width / height), (float)matrix[4], (float)(matrix[5] * 2 / height),
        };
        var batch = image.unsqueeze(0);
        var grid = nn.functional.affine_grid(tensor(theta, [1, 2, 3], device: image.device), batch.shape, align_corners: false);
        return nn.functional.grid_sample(batch, grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false)
            .squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>ratio · image + (1 - ratio) · other, clamped to [0, 1] (torchvision's _blend).</summary>
    private static Tensor Blend(Tensor image, Tensor other, double ratio) =>
        image.mul(ratio).add(other.mul(1 - ratio)).clamp(0, 1);

    /// <summary>ITU-R 601-2 luma (torchvision's rgb_to_grayscale), [1, H, W]; a one-channel image is its own.</summary>
    private static Tensor Grayscale(Tensor image) => image.shape[^3] == 1
        ? image.clone()
        : image[0].mul(0.2989).add(image[1].mul(0.587)).add(image[2].mul(0.114)).unsqueeze(0);

    /// <summary>The image smoothed by [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 inside, its border pixels kept.</summary>
    private static Tensor Smoothed(Tensor image)
    {
        if (image.shape[^1] <= 2 || image.shape[^2] <= 2)
        {
            return image.clone();
        }

        using var scope = NewDisposeScope();
        var channels = image.shape[^3];
        var kernel = ones([3, 3], device: image.device);
        kernel[1, 1] = tensor(5f);
        kernel = kernel.div(13).expand(channels, 1, 3, 3);
        var blurred = nn.functional.conv2d(image.unsqueeze(0), kernel, groups: channels).squeeze(0);
        var degenerate = image.clone();
        degenerate[TensorIndex.Ellipsis, TensorIndex.Slice(1, -1), TensorIndex.Slice(1, -1)] = blurred;
        return degenerate.MoveToOuterDisposeScope();
    }

    /// <summary>Each channel stretched from its own minimum and maximum to [0, 1]; a flat channel is left as it is.</summary>
    private static Tensor AutoContrast(Tensor image)
    {
        using var scope = NewDisposeScope();
        var minimum = image.amin([-2, -1], keepdim: true);
        var maximum = image.amax([-2, -1], keepdim: true);
        var flat = maximum.eq(minimum);
        var scale = where(flat, ones_like(maximum), maximum - minimum);
        minimum = where(flat, zeros_like(minimum), minimum);
        return image.sub(minimum).div(scale).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>PIL's ImageOps.equalize per channel, on the image as 8 bits, back to [0, 1] as k / 255.</summary>
    private static Tensor Equalize(Tensor image)
    {
        var channels = (int)image.shape[^3];
        var pixels = (int)(image.shape[^2] * image.shape[^1]);
        var levels = image.mul(256 - 1e-3).to_type(ScalarType.Int64).clamp(0, 255).contiguous().data<long>().ToArray();
        var result = new float[levels.Length];
        for (var c = 0; c < channels; c++)
        {
            var channel = levels.AsSpan(c * pixels, pixels);
            var histogram = new long[256];
            foreach (var level in channel)
            {
                histogram[level]++;
            }

            // step = (pixels that are not of the last used level) / 255; a channel of one level (step 0) is kept.
            var last = Array.FindLastIndex(histogram, h => h != 0);
            var step = (pixels - histogram[last]) / 255;
            var lut = new long[256];
            for (long i = 0, sum = step / 2; i < 256; i++)
            {
                lut[i] = step == 0 ? i : Math.Min(sum / step, 255);
                sum += histogram[i];
            }

            for (var i = 0; i < pixels; i++)
            {
                result[(c * pixels) + i] = lut[channel[i]] / 255f;
            }
        }

        return tensor(result, image.shape, device: image.device);
    }
}
