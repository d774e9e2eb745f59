using System.Buffers.Binary;
using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>
/// Feature cache entries on disk: what is written reads back; a damaged, forged or older entry is never
/// read as data, only reported (and the cache extracts the features again).
/// </summary>
public sealed class FeatureFileTests
{
    [Fact]
    public void WriteThenRead_GivesTheSameFeatureSet()
    {
        using var temp = new TempFolder();
        using var set = Set();
        FeatureFile.Write(temp["entry.mgfeat"], set);

        using var read = FeatureFile.TryRead(temp["entry.mgfeat"], out var problem);

        Assert.Null(problem);
        Assert.NotNull(read);
        Assert.True(read.Features.Identical(set.Features));
        Assert.True(read.Labels.Identical(set.Labels));
        Assert.Equal(set.Classes, read.Classes);
        Assert.Equal(3, read.Skipped);
    }

    [Fact]
    public void TruncatedOrFlipped_IsAMissWithItsReason()
    {
        using var temp = new TempFolder();
        var whole = Written(temp);
        foreach (var length in new[] { 0, 5, 16, 60, whole.Length / 2, whole.Length - 1 })
        {
            File.WriteAllBytes(temp["cut.mgfeat"], whole.AsSpan(0, length).ToArray());
            Assert.Null(FeatureFile.TryRead(temp["cut.mgfeat"], out var problem));
            Assert.NotNull(problem);
        }

        var features = ContainerBytes.Sections(whole).Single(s => s.Tag == "FEAT");
        whole[features.Start + 5] ^= 0x01;
        File.WriteAllBytes(temp["flipped.mgfeat"], whole);
        Assert.Null(FeatureFile.TryRead(temp["flipped.mgfeat"], out var flipped));
        Assert.Contains("checksum does not match", flipped);
    }

    [Theory]
    [InlineData("""{"Count":11,"Shape":[4,2,2],"Classes":["a","b"],"Skipped":0}""", "header describes")]
    [InlineData("""{"Count":-1,"Shape":[4,2,2],"Classes":["a","b"],"Skipped":0}""", "header is damaged")]
    [InlineData("""{"Count":10,"Shape":[4,0,2],"Classes":["a","b"],"Skipped":0}""", "header is damaged")]
    [InlineData("""{"Count":10,"Shape":[4611686018427387904,4611686018427387904],"Classes":["a"],"Skipped":0}""", "overflow")]
    [InlineData("""{"Count":10,"Shape":[4,2,2],"Classes":null,"Skipped":0}""", "damaged")]
    [InlineData("""{"Count":10,"Shape":[4,2,2],"Classes":["a",null],"Skipped":0}""", "header is damaged")]
    public void AForgedHeader_WithAMatchingChecksum_IsAMiss_NotAnAllocation(string header, string reason)
    {
        using var temp = new TempFolder();
        var whole = Written(temp);
        File.WriteAllBytes(temp["forged.mgfeat"], ContainerBytes.ReplaceSection(whole, "HEAD", System.Text.Encoding.UTF8.GetBytes(header)));

        Assert.Null(FeatureFile.TryRead(temp["forged.mgfeat"], out var problem));
        Assert.Contains(reason, problem);
    }

    [Theory]
    [InlineData(2L)]
    [InlineData(57L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void AForgedLabelOutsideTheClasses_WithAMatchingChecksum_IsAMiss(long label)
    {
        // Issue 18 item 20: such a label reached the loss (the set has two classes, so 0 and 1 are the labels).
        using var temp = new TempFolder();
        var whole = Written(temp);
        var labels = ContainerBytes.Sections(whole).Single(s => s.Tag == "LABL");
        File.WriteAllBytes(temp["forged.mgfeat"], ContainerBytes.Forge(whole, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan((int)labels.Start + (7 * sizeof(long))), label)));

        Assert.Null(FeatureFile.TryRead(temp["forged.mgfeat"], out var problem));
        Assert.Contains("labels outside the 2 classes", problem);
        Assert.Contains($"{label}", problem);
    }

    [Fact]
    public void AnEntryWithLabelsButNoClasses_IsAMiss()
    {
        using var temp = new TempFolder();
        var whole = Written(temp);
        File.WriteAllBytes(temp["forged.mgfeat"], ContainerBytes.ReplaceSection(whole, "HEAD", """{"Count":10,"Shape":[4,2,2],"Classes":[],"Skipped":0}"""u8.ToArray()));

        Assert.Null(FeatureFile.TryRead(temp["forged.mgfeat"], out var problem));
        Assert.Contains("labels outside the 0 classes", problem);
    }

    [Fact]
    public void AForgedSectionLength_IsAMiss()
    {
        using var temp = new TempFolder();
        var whole = Written(temp);
        var labels = ContainerBytes.Sections(whole).Single(s => s.Tag == "LABL");
        File.WriteAllBytes(temp["forged.mgfeat"], ContainerBytes.Forge(whole, b => BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(labels.LengthField), long.MaxValue)));

        Assert.Null(FeatureFile.TryRead(temp["forged.mgfeat"], out var problem));
        Assert.Contains("LABL", problem);
    }

    [Fact]
    public void AnEntryOfAnOlderModelGen_IsAMiss_AndIsExtractedAgain()
    {
        using var temp = new TempFolder();
        const string Key = "cd0123456789";
        var path = FeatureCache.PathOf(temp.Path, Key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var set = Set();
        LegacyFiles.WriteFeatures(path, set);

        Assert.Null(FeatureFile.TryRead(path, out var problem));
        Assert.Contains("saved by an older ModelGen (format MGFEAT01)", problem);
        var log = new CapturingLogger();
        Assert.Null(FeatureCache.TryLoad(temp.Path, Key, log));
        Assert.Contains("older ModelGen", Assert.Single(log.Of(LogEvents.FeatureCacheEntryDamaged)).Message);
        Assert.False(File.Exists(path), "the old entry is removed, to be written again");

        FeatureCache.Store(temp.Path, Key, set);
        using var again = FeatureCache.TryLoad(temp.Path, Key);
        Assert.NotNull(again);
        Assert.True(again.Features.Identical(set.Features));
    }

    private static FeatureSet Set()
    {
        using var generator = new Generator(5);
        return new FeatureSet(rand([10, 4, 2, 2], generator: generator), arange(10, dtype: ScalarType.Int64).remainder(2), ["a", "b"], skipped: 3);
    }

    private static byte[] Written(TempFolder temp)
    {
        using var set = Set();
        FeatureFile.Write(temp["entry.mgfeat"], set);
        return File.ReadAllBytes(temp["entry.mgfeat"]);
    }
}
