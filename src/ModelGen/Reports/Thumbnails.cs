using ModelGen.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ModelGen.Reports;

/// <summary>Small PNGs of images for the report, decoded with the same limits as training (the files are user input).</summary>
internal static class Thumbnails
{
    /// <summary>The longest side of a thumbnail; a smaller model input is shown at its own size.</summary>
    public const int MaxSide = 128;

    /// <summary>
    /// The image at <paramref name="path"/> as the model sees it (its input size, gray or color, no normalisation),
    /// scaled down to at most <see cref="MaxSide"/>, as a PNG; null when the file is gone or unreadable.
    /// </summary>
    public static byte[]? TryPng(string path, ImageInput input)
    {
        var scale = Math.Min(1.0, MaxSide / (double)Math.Max(input.Height, input.Width));
        var (height, width) = (Math.Max(1, (int)Math.Round(input.Height * scale)), Math.Max(1, (int)Math.Round(input.Width * scale)));
        var planes = new float[3 * height * width];
        if (!File.Exists(path) || ImageDecoder.TryDecode(path, input with { Height = height, Width = width }, planes) is not null)
        {
            return null;
        }

        return Png(planes, width, height);
    }

    /// <summary>A PNG scaled down to at most <see cref="MaxSide"/> (unchanged when it is that small already).</summary>
    public static byte[] Shrink(byte[] png)
    {
        using var image = Image.Load<Rgb24>(png);
        if (Math.Max(image.Width, image.Height) <= MaxSide)
        {
            return png;
        }

        var scale = MaxSide / (double)Math.Max(image.Width, image.Height);
        image.Mutate(c => c.Resize(Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale))));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>RGB planes in [0, 1] ([3, H, W] flattened) as a PNG.</summary>
    public static byte[] Png(float[] planes, int width, int height)
    {
        using var image = new Image<Rgb24>(width, height);
        var area = width * height;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < width; x++)
                {
                    var i = (y * width) + x;
                    row[x] = new Rgb24(Byte(planes[i]), Byte(planes[area + i]), Byte(planes[(2 * area) + i]));
                }
            }
        });
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static byte Byte(float value) => (byte)Math.Clamp(MathF.Round(value * 255f), 0f, 255f);
}
