using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelGen.Tests.Data;

/// <summary>
/// Issue 18 item 5: a damaged image that makes the decoder throw anything (a NullReferenceException, a
/// DivideByZeroException) is one skipped, counted file with its reason, never the end of the pass.
/// </summary>
public sealed class MalformedImageTests
{
    private static readonly ImageInput Input = new(32, 32, 3, Preprocessing.ImageNet);

    private static string Fixtures => Path.Combine(Repository.Root, "tests", "ModelGen.Tests", "Data", "MalformedImages");

    private static string[] Malformed => [.. Directory.GetFiles(Fixtures).Where(f => ImageFolder.Extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal)];

    [Fact]
    public void EachFixture_StillMakesImageSharpThrowSomethingOtherThanAFormatError()
    {
        // Else the fixtures would test nothing (after an ImageSharp upgrade, say): see MalformedImages/README.md.
        Assert.Equal(6, Malformed.Length);
        Assert.All(Malformed, file =>
        {
            var error = Record.Exception(() =>
            {
                using var stream = File.OpenRead(file);
                _ = Image.Identify(stream);
                stream.Position = 0;
                using var image = Image.Load<Rgb24>(stream);
            });
            Assert.True(error is NullReferenceException or DivideByZeroException, $"{Path.GetFileName(file)}: {error?.GetType().Name ?? "decodes"}");
        });
    }

    [Fact]
    public void BitFlippedImages_AreSkippedAndCounted_AndThePassGoesOn()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(temp["images/bag"]).FullName;
        File.Copy(Directory.GetFiles(Path.Combine(FashionData.Test, "bag")).Order().First(), Path.Combine(folder, "real.png"));
        foreach (var file in Malformed)
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        var logger = new CapturingLogger();
        var images = ImageFolder.Open(temp["images"], classes: null, logger);

        Assert.Equal(1, ImageBatches.Read(images, Input, batchSize: 4).Sum(b => b.Count));
        Assert.Equal(Malformed.Length, images.Skipped);
        var reasons = logger.Of(LogEvents.ImageSkipped).ToDictionary(e => Path.GetFileName((string)e["ImagePath"]!), e => (string)e["Reason"]!);
        Assert.Equal(Malformed.Select(Path.GetFileName).Order(), reasons.Keys.Order());
        Assert.All(reasons, r => Assert.Contains("damaged image", r.Value));
        Assert.Contains("NullReferenceException", reasons["jpeg-decode-null-reference.jpg"]);
        Assert.Contains("DivideByZeroException", reasons["bmp-divide-by-zero.bmp"]);
    }

    [Fact]
    public void Decode_OfABitFlippedImage_ThrowsAnImageLoadExceptionNamingIt()
    {
        Assert.All(Malformed, file =>
        {
            var error = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode(file, Input));
            Assert.Contains(file, error.Message);
        });
    }

    [Theory]
    [InlineData(typeof(NullReferenceException))]
    [InlineData(typeof(DivideByZeroException))]
    [InlineData(typeof(KeyNotFoundException))]
    [InlineData(typeof(OverflowException))]
    [InlineData(typeof(InsufficientExecutionStackException))]
    [InlineData(typeof(Exception))]
    public void AnyExceptionOfTheDecodeStep_IsASkipWithItsReason(Type type)
    {
        var formats = Throwing(() => (Exception)Activator.CreateInstance(type, "the decoder's own words")!);
        using var stream = File.OpenRead(Directory.GetFiles(Path.Combine(FashionData.Test, "bag")).Order().First());

        var problem = ImageDecoder.TryDecode(stream, "x.png", Input, new float[3 * 32 * 32], formats);

        Assert.NotNull(problem);
        Assert.Contains(type.Name, problem);
        Assert.Contains("the decoder's own words", problem);
    }

    [Fact]
    public void OutOfMemory_IsNotAboutTheFile_AndIsNotSwallowed()
    {
        var formats = Throwing(() => new OutOfMemoryException());
        using var stream = File.OpenRead(Directory.GetFiles(Path.Combine(FashionData.Test, "bag")).Order().First());

        Assert.Throws<OutOfMemoryException>(() => ImageDecoder.TryDecode(stream, "x.png", Input, new float[3 * 32 * 32], formats));
    }

    /// <summary>ImageDecoder's formats, but with a PNG decoder that identifies images and then throws what <paramref name="error"/> makes.</summary>
    private static Configuration Throwing(Func<Exception> error)
    {
        var formats = ImageDecoder.CreateConfiguration();
        formats.ImageFormatsManager.SetDecoder(PngFormat.Instance, new ThrowingDecoder(error));
        return formats;
    }

    private sealed class ThrowingDecoder(Func<Exception> error) : IImageDecoder, IImageInfoDetector
    {
        public Image<TPixel> Decode<TPixel>(Configuration configuration, Stream stream, CancellationToken cancellationToken)
            where TPixel : unmanaged, IPixel<TPixel> => throw error();

        public Image Decode(Configuration configuration, Stream stream, CancellationToken cancellationToken) => throw error();

        public IImageInfo Identify(Configuration configuration, Stream stream, CancellationToken cancellationToken) =>
            new PngDecoder().Identify(configuration, stream, cancellationToken);
    }
}
