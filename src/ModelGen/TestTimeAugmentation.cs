namespace ModelGen;

/// <summary>
/// Test-time augmentation for <c>Evaluate</c> and <c>Predict</c> (<see cref="ModelOptions.TestTimeAugmentation"/>):
/// the model scores several views of each image and its probabilities are averaged over them. Off by default.
/// </summary>
/// <remarks>
/// The views: with <see cref="Crops"/> 1, the image at the input size (as without augmentation); with 5, the four corners
/// and the centre (torchvision's <c>FiveCrop</c>) of the image resized to the input size divided by
/// <see cref="CropFraction"/>. <see cref="Flip"/> adds each view's mirror image (left-right), so 5 crops and a flip are
/// ten views. Training, validation during training and the report of a training run never use it.
/// </remarks>
public sealed record TestTimeAugmentation
{
    private readonly int _crops = 1;
    private readonly double _cropFraction = 0.875;

    /// <summary>Also score each view mirrored left-right.</summary>
    public bool Flip { get; init; }

    /// <summary>1 (the whole image) or 5 (four corners and the centre of the image resized larger).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Neither 1 nor 5.</exception>
    public int Crops
    {
        get => _crops;
        init => _crops = value is 1 or 5 ? value : throw new ArgumentOutOfRangeException(nameof(Crops), value, "Crops is 1 (the whole image) or 5 (four corners and the centre).");
    }

    /// <summary>
    /// For 5 crops: the crop's size over the resized image's, above 0 and at most 1; default 0.875, torchvision's 224 of
    /// 256 (an input of 224 is cropped from the image resized to 256).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not in (0, 1].</exception>
    public double CropFraction
    {
        get => _cropFraction;
        init => _cropFraction = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(CropFraction), value, "CropFraction is above 0 and at most 1.");
    }

    /// <summary>The views each image is scored on.</summary>
    public int ViewCount => Crops * (Flip ? 2 : 1);

    /// <summary>Whether the image is scored once, as without augmentation.</summary>
    public bool IsOff => ViewCount == 1;
}
