using System.Globalization;
using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Data;

/// <summary>Zero-byte, truncated, mislabelled, lying and huge images are skipped and counted; memory stays low.</summary>
public sealed class HostileImageTests
{
    private static readonly ImageInput Input = new(32, 32, 3, Preprocessing.ImageNet);

    [Fact]
    public void HostileFiles_AreSkippedAndCounted_WithAReasonEach()
    {
        using var temp = new TempFolder();
        var folder = Directory.CreateDirectory(temp["images/bag"]).FullName;
        var real = Directory.GetFiles(Path.Combine(FashionData.Test, "bag")).Order().First();
        File.Copy(real, Path.Combine(folder, "real.png"));
        var names = HostileImages.Write(folder, real);
        var reasons = new Dictionary<string, string>();
        SkippedImageLog.Handler = (path, reason) => { lock (reasons) { reasons[Path.GetFileName(path)] = reason; } };
        try
        {
            var images = ImageFolder.Open(temp["images"]);
            var decoded = ImageBatches.Read(images, Input, batchSize: 3).Sum(b => b.Count);

            Assert.Equal(1, decoded);
            Assert.Equal(names.Length, images.Skipped);
            Assert.Equal(names.Order(), reasons.Keys.Order());
            Assert.Contains("empty", reasons["empty.png"]);
            Assert.Contains("not a PNG, JPEG", reasons["text.jpg"]);
            Assert.Contains("60000x60000", reasons["lying-header.png"]);
            Assert.Contains("20000x20000", reasons["huge.png"]);
        }
        finally
        {
            SkippedImageLog.Handler = (path, reason) => Console.Error.WriteLine($"warning: skipped {path}: {reason}");
        }
    }

    [Fact]
    public void Decode_OfAHostileFile_ThrowsAnErrorNamingIt()
    {
        using var temp = new TempFolder();
        var path = temp["text.jpg"];
        File.WriteAllText(path, "not an image");

        var error = Assert.Throws<ImageLoadException>(() => ImageDecoder.Decode(path, Input));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void HostileFiles_KeepPeakMemoryNearThatOfReadingRealImages()
    {
        using var temp = new TempFolder();
        var good = Directory.CreateDirectory(temp["good/bag"]).FullName;
        var hostile = Directory.CreateDirectory(temp["hostile/bag"]).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(FashionData.Test, "bag")).Order().Take(4))
        {
            File.Copy(file, Path.Combine(good, Path.GetFileName(file)));
            File.Copy(file, Path.Combine(hostile, Path.GetFileName(file)));
        }

        HostileImages.Write(hostile, Directory.GetFiles(good)[0]);

        var baseline = PeakKilobytes(TestHostProcess.Run("decode", temp["good"]));
        var output = TestHostProcess.Run("decode", temp["hostile"]);

        Assert.Contains("decoded 4 skipped 5", output);
        var growth = PeakKilobytes(output) - baseline;
        Assert.True(growth < 150 * 1024, $"reading the hostile files raised peak memory by {growth / 1024} MB (a decoded 20000x20000 image alone is over 1 GB)");
    }

    private static long PeakKilobytes(string output)
    {
        var line = output.Split('\n').Single(l => l.Contains("peak-rss-kb", StringComparison.Ordinal));
        return long.Parse(line[(line.LastIndexOf(' ') + 1)..].Trim(), CultureInfo.InvariantCulture);
    }
}
