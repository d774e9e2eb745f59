using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelGen.Explain;

/// <summary>Draws a heatmap in [0, 1] as a jet colour map over an image and encodes the result as PNG.</summary>
internal static class HeatmapOverlay
{
    /// <summary>The overlay of <paramref name="heatmap"/> ([H * W]) on <paramref name="rgb"/> (planes [3 * H * W] in [0, 1]) as PNG bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opacity"/> is outside [0, 1].</exception>
    public static byte[] Png(float[] rgb, float[] heatmap, int width, int height, float opacity)
    {
        if (!(opacity >= 0f && opacity <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "The opacity of the heatmap is a fraction from 0 (the image only) to 1 (the heatmap only).");
        }

        var plane = width * height;
        using var image = new Image<Rgb24>(width, height);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < width; x++)
                {
                    var i = (y * width) + x;
                    var (r, g, b) = Jet(heatmap[i]);
                    row[x] = new Rgb24(
                        Blend(rgb[i], r, opacity),
                        Blend(rgb[plane + i], g, opacity),
                        Blend(rgb[(2 * plane) + i], b, opacity));
                }
            }
        });

        using var output = new MemoryStream();
        image.Save(output, new PngEncoder());
        return output.ToArray();
    }

    /// <summary>The jet colour map: dark blue at 0, through cyan, yellow, to dark red at 1.</summary>
    internal static (float R, float G, float B) Jet(float value)
    {
        var v = Math.Clamp(value, 0f, 1f);
        static float Ramp(float x) => Math.Clamp(1.5f - Math.Abs(x), 0f, 1f);
        return (Ramp((4f * v) - 3f), Ramp((4f * v) - 2f), Ramp((4f * v) - 1f));
    }

    private static byte Blend(float image, float map, float opacity) =>
        (byte)Math.Round(Math.Clamp(((1f - opacity) * image) + (opacity * map), 0f, 1f) * 255f);
}
