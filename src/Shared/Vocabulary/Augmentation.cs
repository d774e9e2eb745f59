#if MODELGEN_RUNTIME
namespace ModelGen.Data;
#else
namespace ModelGen.Generators.Vocabulary;
#endif

/// <summary>
/// Random image transforms with Keras ImageDataGenerator meanings, applied to whole batches on tensors:
/// each image gets its own rotation (degrees, ±), horizontal and vertical shift (fractions of the size,
/// ±), shear (degrees, ±), zoom (independent factors for width and height in [low, high]), flips (half of
/// the images) and brightness (a factor in [low, high]). The geometric part is one affine transform per
/// image about its center, sampled bilinearly, with <see cref="Fill"/> for pixels from outside.
/// </summary>
/// <param name="Rotation">Maximum rotation in degrees.</param>
/// <param name="WidthShift">Maximum horizontal shift as a fraction of the width.</param>
/// <param name="HeightShift">Maximum vertical shift as a fraction of the height.</param>
/// <param name="Shear">Maximum shear angle in degrees.</param>
/// <param name="ZoomLow">Smallest zoom factor (below 1 zooms in, as in Keras).</param>
/// <param name="ZoomHigh">Largest zoom factor.</param>
/// <param name="HorizontalFlip">Flip half of the images left to right.</param>
/// <param name="VerticalFlip">Flip half of the images upside down.</param>
/// <param name="BrightnessLow">Smallest brightness factor.</param>
/// <param name="BrightnessHigh">Largest brightness factor.</param>
/// <param name="Fill">How outside pixels are filled.</param>
/// <param name="RandAugmentOps">torchvision RandAugment's num_ops: ops drawn per image after the transforms above; 0 for none.</param>
/// <param name="RandAugmentMagnitude">RandAugment's magnitude: the bin (0 to 30 of 31) every op uses.</param>
/// <param name="TrivialAugment">torchvision TrivialAugmentWide: one op per image at a uniformly drawn magnitude bin.</param>
/// <param name="ErasingProbability">torchvision RandomErasing's p (after normalisation); 0 for none.</param>
/// <param name="ErasingScaleLow">Smallest erased share of the image area.</param>
/// <param name="ErasingScaleHigh">Largest erased share of the image area.</param>
/// <param name="ErasingRatioLow">Smallest aspect ratio (height / width) of the erased box.</param>
/// <param name="ErasingRatioHigh">Largest aspect ratio of the erased box.</param>
/// <param name="ErasingValue">The value the box is filled with (in normalised units: 0 is the preprocessing's mean).</param>
/// <param name="MixUpAlpha">MixUp's α: each batch is mixed with itself rolled by one, λ ~ Beta(α, α); 0 for none.</param>
/// <param name="CutMixAlpha">CutMix's α: a box of the rolled batch is pasted, λ ~ Beta(α, α); 0 for none.</param>
/// <param name="MixProbability">The probability that a batch is mixed at all (with both MixUp and CutMix, each is then picked with probability 0.5).</param>
#if MODELGEN_RUNTIME
public
#else
internal
#endif
sealed partial record Augmentation(
    double Rotation = 0,
    double WidthShift = 0,
    double HeightShift = 0,
    double Shear = 0,
    double ZoomLow = 1,
    double ZoomHigh = 1,
    bool HorizontalFlip = false,
    bool VerticalFlip = false,
    double BrightnessLow = 1,
    double BrightnessHigh = 1,
    FillMode Fill = FillMode.Nearest,
    int RandAugmentOps = 0,
    int RandAugmentMagnitude = 9,
    bool TrivialAugment = false,
    double ErasingProbability = 0,
    double ErasingScaleLow = 0.02,
    double ErasingScaleHigh = 0.33,
    double ErasingRatioLow = 0.3,
    double ErasingRatioHigh = 3.3,
    double ErasingValue = 0,
    double MixUpAlpha = 0,
    double CutMixAlpha = 0,
    double MixProbability = 1);
