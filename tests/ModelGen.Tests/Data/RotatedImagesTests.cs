using System.Globalization;
using ModelGen.Tests.Infrastructure;
using Regression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelGen.Tests.Data;

/// <summary>
/// The builder of the rotated Fashion-MNIST regression set (examples/Regression/RotatedImages.cs, issue 14): the turn's
/// direction and centre, the manifest, and the same files for the same seed.
/// </summary>
public sealed class RotatedImagesTests
{
    [Fact]
    public void PositiveAngle_TurnsCounterClockwiseAboutTheCentre()
    {
        // One white pixel two to the right of the centre (4, 4) of a 9x9 image.
        using var image = new Image<L8>(9, 9);
        image[6, 4] = new L8(255);

        using var quarter = RotatedImages.Rotate(image, 90);
        using var back = RotatedImages.Rotate(image, -90);
        using var none = RotatedImages.Rotate(image, 0);

        Assert.Equal([(4, 2, 255)], Lit(quarter)); // now above the centre (y points down)
        Assert.Equal([(4, 6, 255)], Lit(back));
        Assert.Equal([(6, 4, 255)], Lit(none));
    }

    [Fact]
    public void Build_WritesEveryImageTurnedByItsManifestAngle_AndTheSameFilesForTheSameSeed()
    {
        using var temp = new TempFolder();
        var manifest = RotatedImages.Build(FashionData.Train, temp["a"], perClass: 3, maxDegrees: 45, seed: 5);
        RotatedImages.Build(FashionData.Train, temp["b"], perClass: 3, maxDegrees: 45, seed: 5);
        var other = RotatedImages.Build(FashionData.Train, temp["c"], perClass: 3, maxDegrees: 45, seed: 6);

        var lines = File.ReadAllLines(manifest);
        Assert.Equal("path,angle", lines[0]);
        Assert.Equal(31, lines.Length); // 3 of each of the 10 classes
        var rows = lines[1..].Select(line => line.Split(',')).ToArray();
        var angles = rows.Select(row => double.Parse(row[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.All(angles, angle => Assert.InRange(angle, -45, 45));
        Assert.True(angles.Max() - angles.Min() > 45, "the angles spread over the range");
        Assert.Equal(lines, File.ReadAllLines(Path.Combine(temp["b"], "angles.csv")));
        Assert.NotEqual(lines[1..], File.ReadAllLines(other)[1..]);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp["a"], rows[7][0])), File.ReadAllBytes(Path.Combine(temp["b"], rows[7][0])));

        // The first row is the first ankle boot (classes and files in ordinal order); its PNG is the source turned by its angle.
        var source = Directory.GetFiles(Path.Combine(FashionData.Train, "ankle-boot")).Order(StringComparer.Ordinal).First();
        Assert.Equal($"images/ankle-boot-{Path.GetFileNameWithoutExtension(source)}.png", rows[0][0]);
        using var original = Image.Load<L8>(source);
        using var expected = RotatedImages.Rotate(original, angles[0]);
        using var written = Image.Load<L8>(Path.Combine(temp["a"], rows[0][0]));
        Assert.Equal((28, 28), (written.Width, written.Height));
        Assert.Equal(Pixels(expected), Pixels(written));
        Assert.NotEqual(Pixels(original), Pixels(written));
    }

    private static (int X, int Y, int Value)[] Lit(Image<L8> image) =>
        Enumerable.Range(0, image.Height).SelectMany(y => Enumerable.Range(0, image.Width).Select(x => (x, y, (int)image[x, y].PackedValue)))
            .Where(p => p.Item3 > 0).ToArray();

    private static byte[] Pixels(Image<L8> image) =>
        Enumerable.Range(0, image.Height).SelectMany(y => Enumerable.Range(0, image.Width).Select(x => image[x, y].PackedValue)).ToArray();
}
