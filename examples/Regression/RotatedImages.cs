using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Regression;

/// <summary>
/// Builds a regression data set from image folders: every image turned by a random angle, written as a PNG, and a
/// CSV manifest <c>path,angle</c> with each image's angle in degrees. The angles are drawn uniformly from
/// [-maxDegrees, maxDegrees] by a <see cref="Random"/> seeded with <c>seed</c>, one per image in a fixed order
/// (classes, then files, in ordinal order), and rounded to 0.01° before the image is turned, so the manifest holds
/// exactly the angle used; the same sources, count, range and seed give the same files.
/// </summary>
/// <remarks>
/// A positive angle turns the image counter-clockwise, as torchvision's <c>rotate</c>, about the centre of the
/// pixel grid ((width - 1) / 2, (height - 1) / 2). Each output pixel is read bilinearly from the source; what comes
/// from outside the source is black, the background of Fashion-MNIST. The image keeps its size, so corners of the
/// item may be cut off.
/// </remarks>
public static class RotatedImages
{
    /// <summary>The manifest's header: the image path, then the target.</summary>
    public const string Header = "path,angle";

    /// <summary>
    /// Turns the first <paramref name="perClass"/> images of every class folder of <paramref name="source"/> and
    /// writes them under <paramref name="output"/>/images, with the manifest <paramref name="output"/>/angles.csv.
    /// </summary>
    /// <param name="source">An image folder: one subfolder per class (the classes are not kept, only the images).</param>
    /// <param name="output">The folder to write; created if missing.</param>
    /// <param name="perClass">Images taken from each class folder.</param>
    /// <param name="maxDegrees">The angles are drawn from [-maxDegrees, maxDegrees].</param>
    /// <param name="seed">Seeds the draws of the angles.</param>
    /// <returns>The manifest's path. Its image paths are relative to its folder, with '/' separators.</returns>
    public static string Build(string source, string output, int perClass, double maxDegrees, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perClass);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegrees);
        var images = Directory.CreateDirectory(Path.Combine(output, "images")).FullName;
        var random = new Random(seed);
        var manifest = new List<string> { Header };
        foreach (var classFolder in Directory.GetDirectories(source).Order(StringComparer.Ordinal))
        {
            var label = Path.GetFileName(classFolder);
            foreach (var file in Directory.GetFiles(classFolder, "*.png").Order(StringComparer.Ordinal).Take(perClass))
            {
                var angle = Math.Round(((random.NextDouble() * 2) - 1) * maxDegrees, 2);
                var name = $"{label}-{Path.GetFileNameWithoutExtension(file)}.png";
                using (var image = Image.Load<L8>(file))
                using (var turned = Rotate(image, angle))
                {
                    turned.SaveAsPng(Path.Combine(images, name));
                }

                manifest.Add(string.Create(CultureInfo.InvariantCulture, $"images/{name},{angle:0.00}"));
            }
        }

        var manifestPath = Path.Combine(output, "angles.csv");
        File.WriteAllLines(manifestPath, manifest);
        return manifestPath;
    }

    /// <summary><paramref name="image"/> turned counter-clockwise by <paramref name="degrees"/>, at the same size.</summary>
    public static Image<L8> Rotate(Image<L8> image, double degrees)
    {
        var (width, height) = (image.Width, image.Height);
        var (cos, sin) = (Math.Cos(degrees * Math.PI / 180), Math.Sin(degrees * Math.PI / 180));
        var (cx, cy) = ((width - 1) / 2.0, (height - 1) / 2.0);
        var turned = new Image<L8>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                // The source of each output pixel: the output point turned back by the angle (y points down).
                var (dx, dy) = (x - cx, y - cy);
                var value = Bilinear(image, cx + (cos * dx) - (sin * dy), cy + (sin * dx) + (cos * dy));
                turned[x, y] = new L8((byte)Math.Clamp(Math.Round(value), 0, 255));
            }
        }

        return turned;
    }

    private static double Bilinear(Image<L8> image, double x, double y)
    {
        var (x0, y0) = ((int)Math.Floor(x), (int)Math.Floor(y));
        var (fx, fy) = (x - x0, y - y0);
        return (Pixel(image, x0, y0) * (1 - fx) * (1 - fy)) + (Pixel(image, x0 + 1, y0) * fx * (1 - fy))
            + (Pixel(image, x0, y0 + 1) * (1 - fx) * fy) + (Pixel(image, x0 + 1, y0 + 1) * fx * fy);
    }

    private static double Pixel(Image<L8> image, int x, int y) =>
        x < 0 || y < 0 || x >= image.Width || y >= image.Height ? 0 : image[x, y].PackedValue;
}
