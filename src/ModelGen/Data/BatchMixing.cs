using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// MixUp (Zhang et al. 2018) and CutMix (Yun et al. 2019) on a whole batch, as torchvision.transforms.v2 does them:
/// each image is mixed with the one before it (the batch rolled by one), with λ drawn from Beta(α, α), and the
/// targets (one-hot rows, or one probability per image for a binary loss) are mixed with the same λ. CutMix pastes
/// a box of the rolled batch and corrects λ to the share of the image left uncovered.
/// </summary>
/// <remarks>
/// The targets may be any float tensor [N, ...]: one-hot rows for classification (what the training loop gives today),
/// and later multi-hot rows (multi-label) or target values (regression), which then mix with the same λ without any
/// change here. Reached from a spec through <c>augment.mixup</c>, <c>augment.cutmix</c> and <c>augment.mix_probability</c>
/// (<see cref="Mix"/>, called by <see cref="ImageBatches"/> for each training batch).
/// </remarks>
internal static class BatchMixing
{
    /// <summary>
    /// The generator of a batch's mixing draws, from the batch's seed: its own sequence, apart from the augmentation's,
    /// so that λ and the box do not change when other augment keys are added or removed.
    /// </summary>
    public static Random RandomFor(int batchSeed) => new(unchecked((batchSeed * 1_000_033) ^ 0x5EED_0F));

    /// <summary>
    /// Mixes one batch as <paramref name="settings"/> say (timm's Mixup and torchvision's RandomChoice): with probability
    /// <see cref="Augmentation.MixProbability"/> the batch is mixed (else returned as it is, λ = 1); with both MixUp and
    /// CutMix on, each is picked with probability 0.5. The draws, in order: the mix-or-not draw, the pick (only when both
    /// are on), then the operation's own. Returns new tensors, the operation that ran (null for none) and its λ.
    /// </summary>
    public static (Tensor Images, Tensor Targets, MixOperation? Operation, double Lambda) Mix(Tensor images, Tensor targets, Augmentation settings, Random random)
    {
        var mixUp = settings.MixUpAlpha > 0;
        var cutMix = settings.CutMixAlpha > 0;
        if (!(mixUp || cutMix) || random.NextDouble() >= settings.MixProbability)
        {
            return (images.clone(), targets.clone(), null, 1);
        }

        if (mixUp && cutMix)
        {
            (mixUp, cutMix) = random.NextDouble() < 0.5 ? (true, false) : (false, true);
        }

        if (mixUp)
        {
            var (mixed, soft, lambda) = MixUp(images, targets, settings.MixUpAlpha, random);
            return (mixed, soft, MixOperation.MixUp, lambda);
        }

        var cut = CutMix(images, targets, settings.CutMixAlpha, random);
        return (cut.Images, cut.Targets, MixOperation.CutMix, cut.Lambda);
    }

    /// <summary>λ · x + (1 - λ) · roll(x) for images and targets; returns the new tensors and λ.</summary>
    public static (Tensor Images, Tensor Targets, double Lambda) MixUp(Tensor images, Tensor targets, double alpha, Random random)
    {
        var lambda = Beta(alpha, random);
        using var scope = NewDisposeScope();
        var mixed = images.mul(lambda).add(images.roll(1, 0).mul(1 - lambda));
        var soft = targets.mul(lambda).add(targets.roll(1, 0).mul(1 - lambda));
        return (mixed.MoveToOuterDisposeScope(), soft.MoveToOuterDisposeScope(), lambda);
    }

    /// <summary>
    /// The box [y1, y2) x [x1, x2) of roll(x) pasted into x: its center uniform over the pixels, its half sides
    /// int(0.5 · sqrt(1 - λ) · size), clipped to the image; the targets mixed with λ' = 1 - box area / image area.
    /// </summary>
    public static (Tensor Images, Tensor Targets, double Lambda, (long Y1, long X1, long Y2, long X2) Box) CutMix(Tensor images, Tensor targets, double alpha, Random random)
    {
        var lambda = Beta(alpha, random);
        long height = images.shape[^2], width = images.shape[^1];
        var centerX = random.NextInt64(width);
        var centerY = random.NextInt64(height);
        var r = 0.5 * Math.Sqrt(1 - lambda);
        long halfWidth = (long)(r * width), halfHeight = (long)(r * height);
        var box = (Y1: Math.Max(centerY - halfHeight, 0), X1: Math.Max(centerX - halfWidth, 0), Y2: Math.Min(centerY + halfHeight, height), X2: Math.Min(centerX + halfWidth, width));
        var corrected = 1 - ((double)(box.X2 - box.X1) * (box.Y2 - box.Y1) / (width * height));

        using var scope = NewDisposeScope();
        var mixed = images.clone();
        var rows = TensorIndex.Slice(box.Y1, box.Y2);
        var columns = TensorIndex.Slice(box.X1, box.X2);
        mixed[TensorIndex.Ellipsis, rows, columns] = images.roll(1, 0)[TensorIndex.Ellipsis, rows, columns];
        var soft = targets.mul(corrected).add(targets.roll(1, 0).mul(1 - corrected));
        return (mixed.MoveToOuterDisposeScope(), soft.MoveToOuterDisposeScope(), corrected, box);
    }

    /// <summary>A draw from Beta(α, α): X / (X + Y) for X, Y ~ Gamma(α).</summary>
    public static double Beta(double alpha, Random random)
    {
        var x = Gamma(alpha, random);
        var y = Gamma(alpha, random);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /// <summary>Marsaglia and Tsang's method (2000); for α &lt; 1, Gamma(α + 1) · U^(1/α).</summary>
    private static double Gamma(double alpha, Random random)
    {
        if (alpha < 1)
        {
            return Gamma(alpha + 1, random) * Math.Pow(1 - random.NextDouble(), 1 / alpha);
        }

        var d = alpha - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Normal(random);
                v = 1 + (c * z);
            }
            while (v <= 0);

            v = v * v * v;
            var u = 1 - random.NextDouble();
            if (Math.Log(u) < (0.5 * z * z) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>Which batch mixing ran.</summary>
internal enum MixOperation
{
    /// <summary>MixUp: a blend of the batch and the batch rolled by one.</summary>
    MixUp,

    /// <summary>CutMix: a box of the rolled batch pasted in.</summary>
    CutMix,
}
