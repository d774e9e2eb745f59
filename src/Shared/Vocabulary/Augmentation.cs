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
    FillMode Fill = FillMode.Nearest);
