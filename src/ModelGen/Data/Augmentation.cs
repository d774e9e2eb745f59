using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Data;

// The settings are declared in src/Shared (the generator writes them); the transforms live here.
public sealed partial record Augmentation
{
    /// <summary>Whether the transform can move pixels (otherwise only flips and brightness apply).</summary>
    public bool IsGeometric => Rotation != 0 || WidthShift != 0 || HeightShift != 0 || Shear != 0 || ZoomLow != 1 || ZoomHigh != 1;

    /// <summary>
    /// Transforms a batch of images in [0, 1] ([N, C, H, W]); returns a new tensor. The random draws come
    /// from <paramref name="random"/>, so a seeded generator gives the same images every run.
    /// </summary>
    public Tensor Apply(Tensor images, Random random)
    {
        var count = (int)images.shape[0];
        var transforms = new ImageTransform[count];
        for (var i = 0; i < count; i++)
        {
            transforms[i] = Sample(random);
        }

        var transformed = Apply(images, transforms);
        if (!HasPolicy)
        {
            return transformed;
        }

        using (transformed)
        {
            return ApplyPolicy(transformed, random);
        }
    }

    /// <summary>Whether RandAugment or TrivialAugmentWide runs after the Keras-style transforms.</summary>
    public bool HasPolicy => RandAugmentOps > 0 || TrivialAugment;

    /// <summary>Whether training batches are mixed (MixUp or CutMix) after normalisation and erasing.</summary>
    public bool HasMixing => MixUpAlpha > 0 || CutMixAlpha > 0;

    /// <summary>Whether RandomErasing runs on the normalised batch.</summary>
    public bool HasErasing => ErasingProbability > 0;

    /// <summary>
    /// RandAugment (<see cref="RandAugmentOps"/> ops at bin <see cref="RandAugmentMagnitude"/>) or TrivialAugmentWide on
    /// each image of a batch in [0, 1]: the ops are drawn image by image from <paramref name="random"/>.
    /// </summary>
    internal Tensor ApplyPolicy(Tensor images, Random random)
    {
        using var scope = NewDisposeScope();
        var count = images.shape[0];
        var result = new Tensor[count];
        for (var i = 0; i < count; i++)
        {
            var image = images[i];
            var steps = new List<PolicyStep>();
            if (RandAugmentOps > 0)
            {
                steps.AddRange(AugmentPolicy.RandAugment(RandAugmentOps, RandAugmentMagnitude, images.shape[2], images.shape[3], random));
            }

            if (TrivialAugment)
            {
                steps.Add(AugmentPolicy.TrivialAugmentWide(random));
            }

            foreach (var step in steps)
            {
                image = PolicyOps.Apply(image, step);
            }

            result[i] = image;
        }

        return stack(result).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// torchvision's RandomErasing on each image of a normalised batch, in place: with probability
    /// <see cref="ErasingProbability"/>, a box of a share of the area drawn from [<see cref="ErasingScaleLow"/>,
    /// <see cref="ErasingScaleHigh"/>] and an aspect ratio (height / width) drawn log-uniformly from
    /// [<see cref="ErasingRatioLow"/>, <see cref="ErasingRatioHigh"/>], placed uniformly, is set to
    /// <see cref="ErasingValue"/>; after ten draws that do not fit, the image is left as it is.
    /// </summary>
    internal void Erase(Tensor images, Random random)
    {
        for (var i = 0; i < images.shape[0]; i++)
        {
            if (random.NextDouble() < ErasingProbability && ErasingBox(images.shape[2], images.shape[3], random) is { } box)
            {
                using var image = images[i];
                using var region = image[TensorIndex.Ellipsis, TensorIndex.Slice(box.Top, box.Top + box.Height), TensorIndex.Slice(box.Left, box.Left + box.Width)];
                region.fill_(ErasingValue);
            }
        }
    }

    /// <summary>RandomErasing.get_params: the box to erase, or null when ten draws do not fit in the image.</summary>
    internal (long Top, long Left, long Height, long Width)? ErasingBox(long height, long width, Random random)
    {
        double Uniform(double low, double high) => low + ((high - low) * random.NextDouble());
        var area = height * width;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var eraseArea = area * Uniform(ErasingScaleLow, ErasingScaleHigh);
            var aspect = Math.Exp(Uniform(Math.Log(ErasingRatioLow), Math.Log(ErasingRatioHigh)));
            var h = (long)Math.Round(Math.Sqrt(eraseArea * aspect));
            var w = (long)Math.Round(Math.Sqrt(eraseArea / aspect));
            if (h < height && w < width)
            {
                return (random.NextInt64(height - h + 1), random.NextInt64(width - w + 1), h, w);
            }
        }

        return null;
    }

    /// <summary>Draws one image's transform (Keras' get_random_transform).</summary>
    public ImageTransform Sample(Random random)
    {
        double Uniform(double low, double high) => low + ((high - low) * random.NextDouble());
        return new ImageTransform(
            Rotation: Rotation == 0 ? 0 : Uniform(-Rotation, Rotation),
            ShiftX: WidthShift == 0 ? 0 : Uniform(-WidthShift, WidthShift),
            ShiftY: HeightShift == 0 ? 0 : Uniform(-HeightShift, HeightShift),
            Shear: Shear == 0 ? 0 : Uniform(-Shear, Shear),
            ZoomX: ZoomLow == 1 && ZoomHigh == 1 ? 1 : Uniform(ZoomLow, ZoomHigh),
            ZoomY: ZoomLow == 1 && ZoomHigh == 1 ? 1 : Uniform(ZoomLow, ZoomHigh),
            FlipX: HorizontalFlip && random.NextDouble() < 0.5,
            FlipY: VerticalFlip && random.NextDouble() < 0.5,
            Brightness: BrightnessLow == 1 && BrightnessHigh == 1 ? 1 : Uniform(BrightnessLow, BrightnessHigh));
    }

    /// <summary>Applies given transforms, one per image (tests use this with known transforms).</summary>
    public Tensor Apply(Tensor images, IReadOnlyList<ImageTransform> transforms)
    {
        using var scope = NewDisposeScope();
        var count = transforms.Count;
        var height = images.shape[2];
        var width = images.shape[3];
        var x = images;
        if (transforms.Any(t => t.IsGeometric))
        {
            var theta = new float[count * 6];
            for (var i = 0; i < count; i++)
            {
                transforms[i].WriteTheta(theta.AsSpan(i * 6, 6), width, height);
            }

            var grid = nn.functional.affine_grid(tensor(theta, [count, 2, 3], device: images.device), [count, images.shape[1], height, width], align_corners: false);
            if (Fill == FillMode.Wrap)
            {
                grid = grid.add(1).remainder(2).sub(1);
            }

            var padding = Fill switch
            {
                FillMode.Nearest => GridSamplePaddingMode.Border,
                FillMode.Reflect => GridSamplePaddingMode.Reflection,
                _ => GridSamplePaddingMode.Zeros,
            };
            x = nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, padding, align_corners: false);
        }

        var brightness = transforms.Select(t => (float)t.Brightness).ToArray();
        if (brightness.Any(b => b != 1f))
        {
            x = (x * tensor(brightness, device: images.device).view(count, 1, 1, 1)).clamp(0, 1);
        }

        return (ReferenceEquals(x, images) ? x.clone() : x).MoveToOuterDisposeScope();
    }
}

/// <summary>One image's random transform, in Keras' terms.</summary>
/// <param name="Rotation">Degrees, counter-clockwise.</param>
/// <param name="ShiftX">Horizontal shift as a fraction of the width.</param>
/// <param name="ShiftY">Vertical shift as a fraction of the height.</param>
/// <param name="Shear">Shear angle in degrees.</param>
/// <param name="ZoomX">Horizontal zoom factor (the part of the image width seen: below 1 zooms in).</param>
/// <param name="ZoomY">Vertical zoom factor.</param>
/// <param name="FlipX">Flip left to right.</param>
/// <param name="FlipY">Flip upside down.</param>
/// <param name="Brightness">Brightness factor.</param>
public readonly record struct ImageTransform(double Rotation, double ShiftX, double ShiftY, double Shear, double ZoomX, double ZoomY, bool FlipX, bool FlipY, double Brightness)
{
    /// <summary>The identity transform.</summary>
    public static ImageTransform Identity => new(0, 0, 0, 0, 1, 1, false, false, 1);

    /// <summary>Whether the transform moves pixels.</summary>
    public bool IsGeometric => Rotation != 0 || ShiftX != 0 || ShiftY != 0 || Shear != 0 || ZoomX != 1 || ZoomY != 1 || FlipX || FlipY;

    /// <summary>
    /// The 2x3 matrix that maps output pixel positions to input positions in the normalised coordinates of
    /// <c>affine_grid</c> (x right, y down, -1..1 across the image). In pixels about the center, the input
    /// position is rotation · shear · zoom · (flipped output) minus the shift: shifting by +0.1 moves the
    /// content right (or down) by a tenth of the image.
    /// </summary>
    public void WriteTheta(Span<float> theta, long width, long height)
    {
        var angle = Rotation * Math.PI / 180;
        var shear = Shear * Math.PI / 180;

        // Pixel space (x right, y down) about the center. Output (1, 0) reads input (cos, sin): for 90
        // degrees the bottom of the image comes to the right, a counter-clockwise turn on screen.
        double a11 = Math.Cos(angle), a12 = -Math.Sin(angle), a21 = Math.Sin(angle), a22 = Math.Cos(angle);

        // Shear, then zoom (Keras: rotation @ shear @ zoom).
        var (s11, s12, s21, s22) = (1.0, -Math.Sin(shear), 0.0, Math.Cos(shear));
        (a11, a12, a21, a22) = ((a11 * s11) + (a12 * s21), (a11 * s12) + (a12 * s22), (a21 * s11) + (a22 * s21), (a21 * s12) + (a22 * s22));
        (a11, a12, a21, a22) = (a11 * ZoomX, a12 * ZoomY, a21 * ZoomX, a22 * ZoomY);
        if (FlipX)
        {
            (a11, a21) = (-a11, -a21);
        }

        if (FlipY)
        {
            (a12, a22) = (-a12, -a22);
        }

        var tx = -ShiftX * width;
        var ty = -ShiftY * height;

        // To normalised coordinates: p_n = S p, S = diag(2/W, 2/H); theta = S A S^-1, offset = S t.
        theta[0] = (float)a11;
        theta[1] = (float)(a12 * height / width);
        theta[2] = (float)(2 * tx / width);
        theta[3] = (float)(a21 * width / height);
        theta[4] = (float)a22;
        theta[5] = (float)(2 * ty / height);
    }
}
