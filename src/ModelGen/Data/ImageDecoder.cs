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
/// JPEG, BMP, GIF and WebP are accepted, whatever the extension); file size, pixel count and the size a PNG's
/// compressed metadata expands to are checked before decoding, metadata is never decoded, and only the first
/// frame of animations is read, so a hostile file costs little. Whatever a decoder throws for one file makes
/// that file unreadable, never the pass.
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
    public static Tensor Decode(string path, ImageInput input) => Normalise(DecodePixels(path, input), input);

    /// <summary>Decodes one image from a stream into a normalised tensor [3, H, W].</summary>
    /// <exception cref="ImageLoadException">The content is not a readable image, or too large.</exception>
    public static Tensor Decode(Stream stream, ImageInput input, string name) => Normalise(DecodePixels(stream, input, name), input);

    /// <summary>Decodes one image file into RGB planes [3 * H * W] in [0, 1] at the input size, not normalised.</summary>
    /// <exception cref="ImageLoadException">The file is missing, not an image, damaged or too large.</exception>
    public static float[] DecodePixels(string path, ImageInput input)
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
        return DecodePixels(stream, input, path);
    }

    /// <summary>Decodes one image from a stream into RGB planes [3 * H * W] in [0, 1] at the input size, not normalised.</summary>
    /// <exception cref="ImageLoadException">The content is not a readable image, or too large.</exception>
    public static float[] DecodePixels(Stream stream, ImageInput input, string name)
    {
        var pixels = new float[3 * input.Height * input.Width];
        var problem = TryDecode(stream, name, input, pixels);
        if (problem is not null)
        {
            throw new ImageLoadException($"{name}: {problem}.");
        }

        return pixels;
    }

    private static Tensor Normalise(float[] pixels, ImageInput input)
    {
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
    public static string? TryDecode(Stream stream, string name, ImageInput input, Span<float> destination) =>
        TryDecode(stream, name, input, destination, Formats);

    /// <summary>Decodes from a stream with the decoders of <paramref name="formats"/> (tests give decoders that fail).</summary>
    internal static string? TryDecode(Stream stream, string name, ImageInput input, Span<float> destination, Configuration formats)
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

            if (PngMetadataLimit.Check(stream) is { } bomb)
            {
                return bomb;
            }

            var start = stream.Position;
            var info = Image.Identify(formats, stream);
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
                using var gray = Image.Load<L8>(formats, stream);
                Resize(gray, input);
                CopyGray(gray, destination);
            }
            else
            {
                using var color = Image.Load<Rgb24>(formats, stream);
                Resize(color, input);
                CopyRgb(color, destination);
            }

            return null;
        }
        catch (Exception e) when (e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException
            or NotSupportedException or InvalidMemoryOperationException or IOException)
        {
            return "damaged or unsupported image (" + e.Message + ")";
        }
        catch (Exception e) when (IsAboutTheFile(e))
        {
            // A decoder meeting bytes it does not expect can throw anything (issue 18 item 5: bit-flipped JPEG,
            // WebP and BMP files threw NullReferenceException and DivideByZeroException): one file, skipped.
            return $"damaged image: the decoder failed with {e.GetType().Name} ({e.Message})";
        }
    }

    /// <summary>
    /// Whether an exception thrown while decoding one image belongs to that image. Running out of memory belongs to
    /// the process (the file's size and pixels are bounded before decoding), and a cancellation to the caller: both
    /// go on up.
    /// </summary>
    private static bool IsAboutTheFile(Exception e) => e is not (OutOfMemoryException or OperationCanceledException);

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

    /// <summary>The formats read, each decoder set up for untrusted files (a new instance each call).</summary>
    internal static Configuration CreateConfiguration()
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
        // Metadata is never used, and a PNG's text can be a decompression bomb (see PngMetadataLimit): none is read.
        configuration.ImageFormatsManager.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        configuration.ImageFormatsManager.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        configuration.ImageFormatsManager.SetDecoder(WebpFormat.Instance, new WebpDecoder { IgnoreMetadata = true });
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { IgnoreMetadata = true, DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First });
        return configuration;
    }
}
