using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>The views <see cref="TestTimeAugmentation"/> scores, and the probabilities averaged over them.</summary>
internal static class TestTimeViews
{
    /// <summary>The input the images are read at: the model's, or for 5 crops the larger size they are cropped from.</summary>
    public static ImageInput ReadInput(ImageInput input, TestTimeAugmentation augmentation) =>
        augmentation.Crops == 1
            ? input
            : input with { Height = Larger(input.Height, augmentation.CropFraction), Width = Larger(input.Width, augmentation.CropFraction) };

    /// <summary>
    /// The top-left corners of the crops of <paramref name="height"/> × <paramref name="width"/> taken from an image of
    /// <paramref name="imageHeight"/> × <paramref name="imageWidth"/>: top-left, top-right, bottom-left, bottom-right and
    /// centre, in torchvision's <c>FiveCrop</c> order and rounding.
    /// </summary>
    public static (int Top, int Left)[] FiveCropOrigins(int imageHeight, int imageWidth, int height, int width) =>
    [
        (0, 0),
        (0, imageWidth - width),
        (imageHeight - height, 0),
        (imageHeight - height, imageWidth - width),
        ((int)Math.Round((imageHeight - height) / 2.0, MidpointRounding.ToEven), (int)Math.Round((imageWidth - width) / 2.0, MidpointRounding.ToEven)),
    ];

    /// <summary>The views of a batch [N, C, H, W] read at <see cref="ReadInput"/>, each [N, C, input height, input width].</summary>
    public static IEnumerable<Tensor> Of(Tensor images, ImageInput input, TestTimeAugmentation augmentation)
    {
        var crops = augmentation.Crops == 1
            ? [images]
            : FiveCropOrigins((int)images.shape[2], (int)images.shape[3], input.Height, input.Width)
                .Select(o => images[.., .., o.Top..(o.Top + input.Height), o.Left..(o.Left + input.Width)]);
        foreach (var crop in crops)
        {
            yield return crop;
            if (augmentation.Flip)
            {
                yield return crop.flip(3);
            }
        }
    }

    /// <summary>The mean of <paramref name="score"/>'s probabilities [N, classes] over the views of <paramref name="images"/>.</summary>
    public static Tensor Probabilities(Func<Tensor, Tensor> score, Tensor images, ImageInput input, TestTimeAugmentation augmentation)
    {
        Tensor? sum = null;
        foreach (var view in Of(images, input, augmentation))
        {
            var probabilities = score(view.contiguous());
            sum = sum is null ? probabilities : sum + probabilities;
        }

        return sum! / augmentation.ViewCount;
    }

    private static int Larger(int size, double fraction) => (int)Math.Round(size / fraction, MidpointRounding.AwayFromZero);
}
