using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>Each transform on synthetic images with known answers.</summary>
public sealed class AugmentationTests
{
    private const int Size = 32;

    [Fact]
    public void WidthShift_MovesASquareRightByTheFractionOfTheWidth()
    {
        using var image = Square(row: 14, column: 14, side: 4);

        using var shifted = Apply(image, ImageTransform.Identity with { ShiftX = 0.25 });

        var (y, x) = CenterOfMass(shifted);
        Assert.Equal(15.5, y, 1);
        Assert.Equal(15.5 + 8, x, 1);
    }

    [Fact]
    public void HeightShift_MovesASquareDown()
    {
        using var image = Square(row: 4, column: 14, side: 4);

        using var shifted = Apply(image, ImageTransform.Identity with { ShiftY = 0.5 });

        var (y, x) = CenterOfMass(shifted);
        Assert.Equal(5.5 + 16, y, 1);
        Assert.Equal(15.5, x, 1);
    }

    [Fact]
    public void HorizontalFlip_IsAMirrorImage()
    {
        using var image = rand(1, 3, Size, Size);

        using var flipped = Apply(image, ImageTransform.Identity with { FlipX = true });

        using var expected = image.flip(3);
        Assert.True(flipped.allclose(expected, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void VerticalFlip_IsUpsideDown()
    {
        using var image = rand(1, 3, Size, Size);

        using var flipped = Apply(image, ImageTransform.Identity with { FlipY = true });

        using var expected = image.flip(2);
        Assert.True(flipped.allclose(expected, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Rotation90_TurnsCounterClockwise_TopGoesLeft()
    {
        using var image = Square(row: 2, column: 14, side: 4);

        using var rotated = Apply(image, ImageTransform.Identity with { Rotation = 90 });

        var (y, x) = CenterOfMass(rotated);
        Assert.Equal(15.5, y, 1);
        Assert.Equal(3.5, x, 1);
    }

    [Fact]
    public void ZoomBelowOne_ZoomsIn_DoublingASquare()
    {
        using var image = Square(row: 14, column: 14, side: 4);

        using var zoomed = Apply(image, ImageTransform.Identity with { ZoomX = 0.5, ZoomY = 0.5 });

        // Sixteen white pixels become about sixty-four.
        var mass = zoomed.sum().item<float>() / 3;
        Assert.InRange(mass, 56, 72);
        var (y, x) = CenterOfMass(zoomed);
        Assert.Equal(15.5, y, 1);
        Assert.Equal(15.5, x, 1);
    }

    [Fact]
    public void Shear_SlantsAVerticalBar()
    {
        using var image = zeros(1, 3, Size, Size);
        image[.., .., 4..28, 15..17] = ones(1);

        using var sheared = Apply(image, ImageTransform.Identity with { Shear = 30 });

        // The bar's top and bottom move sideways in opposite directions.
        var top = CenterOfMass(sheared[.., .., 4..10, ..]).Column;
        var bottom = CenterOfMass(sheared[.., .., 22..28, ..]).Column;
        Assert.True(Math.Abs(top - bottom) > 6, $"top at {top}, bottom at {bottom}");
        Assert.True(Math.Sign(top - 15.5) == -Math.Sign(bottom - 15.5));
    }

    [Fact]
    public void Brightness_ScalesPixelsAndClipsAtOne()
    {
        using var image = full(1, 3, Size, Size, 0.6f);

        using var darker = Apply(image, ImageTransform.Identity with { Brightness = 0.5 });
        using var brighter = Apply(image, ImageTransform.Identity with { Brightness = 2 });

        Assert.Equal(0.3f, darker.mean().item<float>(), 4);
        Assert.Equal(1f, brighter.max().item<float>());
    }

    [Theory]
    [InlineData(FillMode.Constant, 0f)]
    [InlineData(FillMode.Nearest, 0.25f)]
    [InlineData(FillMode.Wrap, 1f)]
    [InlineData(FillMode.Reflect, 0.25f)]
    public void Fill_DecidesWhatEntersFromOutside(FillMode fill, float expectedAtLeftEdge)
    {
        // Columns 0-15 are 0.25, columns 16-31 are 1; shifting right by a quarter brings in pixels from the left.
        using var image = full(1, 3, Size, Size, 0.25f);
        image[.., .., .., 16..] = ones(1);

        using var shifted = new Augmentation(Fill: fill).Apply(image, [ImageTransform.Identity with { ShiftX = 0.25 }]);

        Assert.Equal(expectedAtLeftEdge, shifted[0, 0, 16, 1].item<float>(), 3);
    }

    [Fact]
    public void SeededAugmentation_IsReproducible_AndStaysInItsRanges()
    {
        var augmentation = new Augmentation(Rotation: 40, WidthShift: 0.2, HeightShift: 0.1, Shear: 10, ZoomLow: 0.8, ZoomHigh: 1.2, HorizontalFlip: true);
        using var image = rand(8, 3, Size, Size);

        using var first = augmentation.Apply(image, new Random(5));
        using var second = augmentation.Apply(image, new Random(5));
        using var third = augmentation.Apply(image, new Random(6));

        Assert.True(first.Identical(second));
        Assert.False(first.Identical(third));
        var random = new Random(1);
        for (var i = 0; i < 500; i++)
        {
            var t = augmentation.Sample(random);
            Assert.InRange(t.Rotation, -40, 40);
            Assert.InRange(t.ShiftX, -0.2, 0.2);
            Assert.InRange(t.ShiftY, -0.1, 0.1);
            Assert.InRange(t.ZoomX, 0.8, 1.2);
            Assert.InRange(t.ZoomY, 0.8, 1.2);
            Assert.False(t.FlipY);
        }
    }

    private static Tensor Square(int row, int column, int side)
    {
        var image = zeros(1, 3, Size, Size);
        image[.., .., row..(row + side), column..(column + side)] = ones(1);
        return image;
    }

    private static Tensor Apply(Tensor image, ImageTransform transform) =>
        new Augmentation(Fill: FillMode.Constant).Apply(image, [transform]);

    /// <summary>The brightness-weighted center (row, column) of an image's first channel.</summary>
    private static (double Row, double Column) CenterOfMass(Tensor image)
    {
        using var plane = image[0, 0].contiguous();
        var height = plane.shape[0];
        var width = plane.shape[1];
        var values = plane.data<float>().ToArray();
        double total = 0, rows = 0, columns = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = values[(y * width) + x];
                total += v;
                rows += v * y;
                columns += v * x;
            }
        }

        return (rows / total, columns / total);
    }
}
