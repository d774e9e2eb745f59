using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// Decodes untrusted image files into model input. The format is sniffed from the content (only PNG,
/// JPEG, BMP, GIF and WebP are accepted, whatever the extension); file size and pixel count are checked
/// before decoding, and only the first frame of animations is read, so a hostile file costs little.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>Files larger than this are refused unread.</summary>
    public const long MaxFileBytes = 64L << 20;

    /// <summary>Images with more pixels than this are refused before decoding (about 8000 x 8000).</summary>
    public const long MaxPixels = 64_000_000;

    private static readonly Configuration Formats = CreateConfiguration();

    /// <summary>Decodes one image file into a normalised tensor [3, H, W] for <paramref name="input"/>.</summary>
    /// <exception cref="ImageLoadException">The file is missing, not an image, damaged or too large.</exception>
    public static Tensor Decode(string path, ImageInput input)
    {
        if (!File.Exists(path))
        {
            throw new ImageLoadException($"The image {path} does not exist.");
        }

        if (NotAnImageFile(path) is { } problem)
        {
            throw new ImageLoadException($"{path}: {problem}.");
        }

        using var stream = File.OpenRead(path);
        return Decode(stream, input, path);
    }

    /// <summary>Decodes one image from a stream into a normalised tensor [3, H, W].</summary>
    /// <exception cref="ImageLoadException">The content is not a readable image, or too large.</exception>
    public static Tensor Decode(Stream stream, ImageInput input, string name)
    {
        var pixels = new float[3 * input.Height * input.Width];
        var problem = TryDecode(stream, name, input, pixels);
        if (problem is not null)
        {
            throw new ImageLoadException($"{name}: {problem}.");
        }

        using var scope = NewDisposeScope();
        var rgb = tensor(pixels, [1, 3, input.Height, input.Width]);
        return input.Preprocessing.Apply(rgb).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decodes an image file into <paramref name="destination"/> as RGB planes in [0, 1] at the input size.
    /// Returns null on success, else why the image cannot be used (the caller skips it).
    /// </summary>
    public static string? TryDecode(string path, ImageInput input, Span<float> destination)
    {
        try
        {
            if (NotAnImageFile(path) is { } problem)
            {
                return problem;
            }

            using var stream = File.OpenRead(path);
            return TryDecode(stream, path, input, destination);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "cannot be opened (" + e.Message + ")";
        }
    }

    /// <summary>
    /// Why a path cannot hold an image, before it is opened: a pipe or a device (named x.png, say) reports a
    /// size of 0, and opening a pipe would wait forever for a writer (issue 18 item 6). Null for a non-empty file.
    /// </summary>
    private static string? NotAnImageFile(string path) =>
        new FileInfo(path).Length == 0 ? "is empty, or not a regular file (a pipe or a device); only regular image files are read" : null;

    /// <summary>Decodes from a stream; see <see cref="TryDecode(string, ImageInput, Span{float})"/>.</summary>
    public static string? TryDecode(Stream stream, string name, ImageInput input, Span<float> destination)
    {
        _ = name;
        try
        {
            if (stream.CanSeek)
            {
                if (stream.Length - stream.Position == 0)
                {
                    return "the file is empty";
                }

                if (stream.Length - stream.Position > MaxFileBytes)
                {
                    return $"the file is {stream.Length:N0} bytes, above the {MaxFileBytes:N0} limit";
                }
            }
            else
            {
                var buffered = new MemoryStream();
                CopyLimited(stream, buffered);
                buffered.Position = 0;
                stream = buffered;
            }

            var start = stream.Position;
            var info = Image.Identify(Formats, stream);
            if (info is null)
            {
                return "not a PNG, JPEG, BMP, GIF or WebP image";
            }

            if ((long)info.Width * info.Height > MaxPixels || info.Width <= 0 || info.Height <= 0)
            {
                return $"{info.Width}x{info.Height} pixels, above the {MaxPixels:N0}-pixel limit";
            }

            stream.Position = start;
            if (input.SourceChannels == 1)
            {
                using var gray = Image.Load<L8>(Formats, stream);
                Resize(gray, input);
                CopyGray(gray, destination);
            }
            else
            {
                using var color = Image.Load<Rgb24>(Formats, stream);
                Resize(color, input);
                CopyRgb(color, destination);
            }

            return null;
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException
            or NotSupportedException or InvalidMemoryOperationException or IOException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return "damaged or unsupported image (" + e.Message + ")";
        }
    }

    private static void Resize<TPixel>(Image<TPixel> image, ImageInput input)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.Width != input.Width || image.Height != input.Height)
        {
            image.Mutate(x => x.Resize(new ResizeOptions
            {
                Size = new SixLabors.ImageSharp.Size(input.Width, input.Height),
                Mode = ResizeMode.Stretch,
                Sampler = KnownResamplers.Triangle,
            }));
        }
    }

    private static void CopyRgb(Image<Rgb24> image, Span<float> destination)
    {
        var plane = image.Width * image.Height;
        var pixels = PixelsOf(image);

        const float scale = 1f / 255f;
        for (var i = 0; i < plane; i++)
        {
            destination[i] = pixels[i].R * scale;
            destination[plane + i] = pixels[i].G * scale;
            destination[(2 * plane) + i] = pixels[i].B * scale;
        }
    }

    private static void CopyGray(Image<L8> image, Span<float> destination)
    {
        var plane = image.Width * image.Height;
        var pixels = PixelsOf(image);

        const float scale = 1f / 255f;
        for (var i = 0; i < plane; i++)
        {
            var value = pixels[i].PackedValue * scale;
            destination[i] = value;
            destination[plane + i] = value;
            destination[(2 * plane) + i] = value;
        }
    }

    /// <summary>The image's pixels in one span: its own buffer when it has a single one, else a copy.</summary>
    private static ReadOnlySpan<TPixel> PixelsOf<TPixel>(Image<TPixel> image)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        if (image.DangerousTryGetSinglePixelMemory(out var memory))
        {
            return memory.Span;
        }

        var copy = new TPixel[image.Width * image.Height];
        image.CopyPixelDataTo(copy);
        return copy;
    }

    private static void CopyLimited(Stream source, Stream target)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
            if (total > MaxFileBytes)
            {
                throw new InvalidImageContentException($"the stream is longer than the {MaxFileBytes:N0}-byte limit");
            }

            target.Write(buffer, 0, read);
        }
    }

    private static Configuration CreateConfiguration()
    {
        var configuration = new Configuration(
            new PngConfigurationModule(),
            new JpegConfigurationModule(),
            new BmpConfigurationModule(),
            new GifConfigurationModule(),
            new WebpConfigurationModule())
        {
            // Images are decoded in parallel already; one thread each keeps the cores for the batch.
            MaxDegreeOfParallelism = 1,
        };
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First });
        return configuration;
    }
}
