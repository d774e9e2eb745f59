namespace ModelGen.Data;

/// <summary>The image operations of torchvision's RandAugment and TrivialAugmentWide, in their order there.</summary>
internal enum PolicyOp
{
    Identity,
    ShearX,
    ShearY,
    TranslateX,
    TranslateY,
    Rotate,
    Brightness,
    Color,
    Contrast,
    Sharpness,
    Posterize,
    Solarize,
    AutoContrast,
    Equalize,
}

/// <summary>One drawn operation and its magnitude (already signed).</summary>
internal readonly record struct PolicyStep(PolicyOp Op, double Magnitude);
