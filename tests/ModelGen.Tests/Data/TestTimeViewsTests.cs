using ModelGen.Data;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// The views of <see cref="TestTimeAugmentation"/> (issue 14) on a synthetic image whose pixels hold their own
/// position: five crops at torchvision's FiveCrop positions and size, each with its mirror, from the image read larger.
/// </summary>
public sealed class TestTimeViewsTests
{
    private static readonly ImageInput Input = new(8, 8, 3, Preprocessing.ImageNet);

    [Fact]
    public void FiveCrops_AreTheCornersAndTheCentre_InFiveCropsOrderAndRounding()
    {
        // 11 × 13 to 8 × 8: the centre is (3/2, 5/2) rounded half to even as Python's round: (2, 2).
        Assert.Equal([(0, 0), (0, 5), (3, 0), (3, 5), (2, 2)], TestTimeViews.FiveCropOrigins(11, 13, 8, 8));
        Assert.Equal([(0, 0), (0, 4), (2, 0), (2, 4), (1, 2)], TestTimeViews.FiveCropOrigins(10, 12, 8, 8));
    }

    [Fact]
    public void FiveCropsAndFlip_GiveTenViewsOfTheInputSize_EachCutWhereExpected()
    {
        using var image = Positions(11, 13);
        var augmentation = new TestTimeAugmentation { Crops = 5, Flip = true };

        var views = TestTimeViews.Of(image, Input, augmentation).ToList();

        Assert.Equal(10, views.Count);
        Assert.All(views, v => Assert.Equal([1L, 3, 8, 8], v.shape));
        (int Top, int Left)[] origins = [(0, 0), (0, 5), (3, 0), (3, 5), (2, 2)];
        for (var k = 0; k < 5; k++)
        {
            var (top, left) = origins[k];
            var crop = views[2 * k];
            var mirror = views[(2 * k) + 1];
            for (var y = 0; y < 8; y++)
            {
                for (var x = 0; x < 8; x++)
                {
                    Assert.Equal(((top + y) * 100) + left + x, crop[0, 2, y, x].item<float>());
                    Assert.Equal(((top + y) * 100) + left + 7 - x, mirror[0, 2, y, x].item<float>()); // left-right
                }
            }
        }
    }

    [Fact]
    public void OneCropWithFlip_IsTheImageAndItsMirror_AndTheProbabilitiesAreTheirMean()
    {
        using var image = Positions(8, 8);
        var augmentation = new TestTimeAugmentation { Flip = true };
        Assert.Same(Input, TestTimeViews.ReadInput(Input, augmentation));

        // A "model" whose two class scores are the top-left and top-right pixel: the mirror swaps them.
        using var probabilities = TestTimeViews.Probabilities(v => stack([v[.., 0, 0, 0], v[.., 0, 0, 7]], 1), image, Input, augmentation);

        Assert.Equal([3.5f, 3.5f], probabilities.data<float>().ToArray()); // (0 + 7) / 2 each
    }

    [Fact]
    public void ReadInput_IsTheInputSizeOverTheCropFraction_ForFiveCrops()
    {
        var input = new ImageInput(224, 160, 3, Preprocessing.ImageNet);

        Assert.Equal((256, 183), Size(TestTimeViews.ReadInput(input, new TestTimeAugmentation { Crops = 5 }))); // 224 / 0.875, 160 / 0.875 = 182.9
        Assert.Equal((224, 160), Size(TestTimeViews.ReadInput(input, new TestTimeAugmentation { Crops = 5, CropFraction = 1 })));
        Assert.Equal((224, 160), Size(TestTimeViews.ReadInput(input, new TestTimeAugmentation { Crops = 1, Flip = true })));
    }

    [Fact]
    public void Options_AreChecked_AndOffByDefault()
    {
        Assert.True(new TestTimeAugmentation().IsOff);
        Assert.Equal(10, new TestTimeAugmentation { Crops = 5, Flip = true }.ViewCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TestTimeAugmentation { Crops = 3 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TestTimeAugmentation { CropFraction = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TestTimeAugmentation { CropFraction = 1.2 });
        Assert.Null(new ModelOptions().TestTimeAugmentation);
    }

    private static (int, int) Size(ImageInput input) => (input.Height, input.Width);

    // [1, 3, H, W]: every channel's pixel (y, x) holds 100 y + x.
    private static Tensor Positions(int height, int width)
    {
        var values = new float[3 * height * width];
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    values[(((c * height) + y) * width) + x] = (y * 100) + x;
                }
            }
        }

        return tensor(values, [1, 3, height, width]);
    }
}
