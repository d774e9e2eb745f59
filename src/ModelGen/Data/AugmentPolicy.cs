namespace ModelGen.Data;

/// <summary>
/// Draws the operations of torchvision's RandAugment (Cubuk et al. 2019) and TrivialAugmentWide (Müller and Hutter
/// 2021) with their magnitude tables: 31 bins, each op's magnitude the bin's value of a linear range, signed ops
/// negated with probability one half.
/// </summary>
internal static class AugmentPolicy
{
    /// <summary>torchvision's num_magnitude_bins.</summary>
    public const int MagnitudeBins = 31;

    private static readonly PolicyOp[] Ops = Enum.GetValues<PolicyOp>();

    /// <summary>RandAugment: <paramref name="count"/> ops drawn with replacement, all at bin <paramref name="bin"/>.</summary>
    public static PolicyStep[] RandAugment(int count, int bin, long height, long width, Random random)
    {
        var steps = new PolicyStep[count];
        for (var i = 0; i < count; i++)
        {
            var op = Ops[random.Next(Ops.Length)];
            steps[i] = new PolicyStep(op, Signed(op, Magnitude(op, bin, height, width, wide: false), random));
        }

        return steps;
    }

    /// <summary>TrivialAugmentWide: one op at a uniformly drawn bin of the wide ranges.</summary>
    public static PolicyStep TrivialAugmentWide(Random random)
    {
        var op = Ops[random.Next(Ops.Length)];
        var magnitude = HasMagnitude(op) ? Magnitude(op, random.Next(MagnitudeBins), 0, 0, wide: true) : 0;
        return new PolicyStep(op, Signed(op, magnitude, random));
    }

    /// <summary>
    /// The magnitude of bin <paramref name="bin"/> (0 to 30): torchvision's _augmentation_space tables. Translation is
    /// in pixels (RandAugment: up to 150/331 of the size; wide: up to 32), shear the tangent of the angle, rotation in
    /// degrees, the colour ops a factor offset (the factor is 1 + magnitude), posterize the bits kept, solarize the
    /// threshold in [0, 1].
    /// </summary>
    public static double Magnitude(PolicyOp op, int bin, long height, long width, bool wide)
    {
        double Linear(double high) => high * bin / (MagnitudeBins - 1);
        return op switch
        {
            PolicyOp.ShearX or PolicyOp.ShearY => Linear(wide ? 0.99 : 0.3),
            PolicyOp.TranslateX => Linear(wide ? 32 : 150.0 / 331 * width),
            PolicyOp.TranslateY => Linear(wide ? 32 : 150.0 / 331 * height),
            PolicyOp.Rotate => Linear(wide ? 135 : 30),
            PolicyOp.Brightness or PolicyOp.Color or PolicyOp.Contrast or PolicyOp.Sharpness => Linear(wide ? 0.99 : 0.9),
            PolicyOp.Posterize => 8 - Math.Round(bin / ((MagnitudeBins - 1) / (wide ? 6.0 : 4.0)), MidpointRounding.ToEven),
            PolicyOp.Solarize => 1 - ((double)bin / (MagnitudeBins - 1)),
            _ => 0,
        };
    }

    private static bool HasMagnitude(PolicyOp op) => op is not (PolicyOp.Identity or PolicyOp.AutoContrast or PolicyOp.Equalize);

    private static bool IsSigned(PolicyOp op) => op is PolicyOp.ShearX or PolicyOp.ShearY or PolicyOp.TranslateX or PolicyOp.TranslateY
        or PolicyOp.Rotate or PolicyOp.Brightness or PolicyOp.Color or PolicyOp.Contrast or PolicyOp.Sharpness;

    private static double Signed(PolicyOp op, double magnitude, Random random) =>
        IsSigned(op) && random.Next(2) == 1 ? -magnitude : magnitude;
}
