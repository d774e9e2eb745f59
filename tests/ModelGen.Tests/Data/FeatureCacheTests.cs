using Microsoft.Extensions.Logging;
using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Storage;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Data;

/// <summary>The feature cache: hits, misses on every key change, damaged entries rebuilt, killed writers harmless.</summary>
public sealed class FeatureCacheTests
{
    [Fact]
    public void SecondExtract_IsAHit_WithTheSameFeatures()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Test, perClass: 2, temp["images"]);
        var logger = new CapturingLogger();
        using var model = Model(temp["cache"], logger);

        var (first, firstEvents) = Extract(model, images, logger);
        var (second, secondEvents) = Extract(model, images, logger);

        Assert.Equal([LogEvents.FeatureCacheMiss, LogEvents.FeatureCacheStored], firstEvents.Select(e => e.EventId.Id));
        Assert.Equal([LogEvents.FeatureCacheHit], secondEvents.Select(e => e.EventId.Id));
        Assert.All(firstEvents.Concat(secondEvents), e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.Equal(firstEvents[0]["CacheKey"], secondEvents[0]["CacheKey"]);
        Assert.True(first.Features.Identical(second.Features));
        Assert.True(first.Labels.Identical(second.Labels));
        first.Dispose();
        second.Dispose();
    }

    [Fact]
    public void AnyChangeToTheImagesOrTheWeights_IsAMiss()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]);
        using var model = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        var folder = ImageFolder.Open(images, FashionMethod1.DeclaredClasses);
        var key = FeatureExtractor.CacheKey(model.Backbone, folder);

        // A touched file, an added file, and changed weights each change the key.
        var file = folder.Samples[3].Path;
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(5));
        var touched = FeatureExtractor.CacheKey(model.Backbone, ImageFolder.Open(images, FashionMethod1.DeclaredClasses));
        File.Copy(file, Path.Combine(Path.GetDirectoryName(file)!, "extra.png"));
        var added = FeatureExtractor.CacheKey(model.Backbone, ImageFolder.Open(images, FashionMethod1.DeclaredClasses));
        using (no_grad())
        {
            model.Backbone.parameters().First().add_(1e-3f);
        }

        var retrained = FeatureExtractor.CacheKey(model.Backbone, ImageFolder.Open(images, FashionMethod1.DeclaredClasses));
        using var other = FashionLayer3.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        var otherModel = FeatureExtractor.CacheKey(other.Backbone, ImageFolder.Open(images, FashionMethod1.DeclaredClasses));

        Assert.Equal(5, new[] { key, touched, added, retrained, otherModel }.Distinct().Count());
    }

    [Fact]
    public void AnotherCut_IsAMiss_EvenWithTheSameWeights()
    {
        using var temp = new TempFolder();
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]));

        // Parameterless stages: the weights hash is the same, so only the cut can tell the keys apart.
        using var layer2 = ParameterlessBackbone(cutAt: "layer2");
        using var layer2Again = ParameterlessBackbone(cutAt: "layer2");
        using var layer3 = ParameterlessBackbone(cutAt: "layer3");
        using var uncut = ParameterlessBackbone(cutAt: null);

        Assert.Equal(layer2.StateHash(), layer3.StateHash());
        Assert.Equal(FeatureExtractor.CacheKey(layer2, folder), FeatureExtractor.CacheKey(layer2Again, folder));
        Assert.Equal(3, new[] { layer2, layer3, uncut }.Select(b => FeatureExtractor.CacheKey(b, folder)).Distinct().Count());
    }

    [Fact]
    public void OtherPreprocessing_IsAMiss()
    {
        using var temp = new TempFolder();
        var folder = ImageFolder.Open(FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]));
        var imageNet = Preprocessing.ImageNet;
        using var meanImage = full(3, 4, 4, 100f);
        using var otherMeanImage = full(3, 4, 4, 120f);
        Preprocessing[] variants =
        [
            imageNet,
            imageNet with { Order = ChannelOrder.Bgr },
            imageNet with { Scale = 255f },
            imageNet with { Mean = [0.5f, 0.5f, 0.5f] },
            imageNet with { Std = [1f, 1f, 1f] },
            imageNet with { MeanImage = meanImage },
            imageNet with { MeanImage = otherMeanImage }, // same shape, other values
        ];

        var keys = variants.Select(preprocessing =>
        {
            using var backbone = ParameterlessBackbone(cutAt: "layer3", preprocessing);
            return FeatureExtractor.CacheKey(backbone, folder);
        }).ToList();
        using var same = ParameterlessBackbone(cutAt: "layer3", imageNet with { Mean = [.. imageNet.Mean] });

        Assert.Equal(keys[0], FeatureExtractor.CacheKey(same, folder));
        Assert.Equal(variants.Length, keys.Distinct().Count());
    }

    [Fact]
    public void AnImageThatChangesSize_KeepingItsModificationTime_IsAMiss()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]);
        using var backbone = ParameterlessBackbone(cutAt: "layer3");
        var key = FeatureExtractor.CacheKey(backbone, ImageFolder.Open(images));
        var file = ImageFolder.Open(images).Samples[2].Path;
        var modified = File.GetLastWriteTimeUtc(file);

        File.AppendAllText(file, "more bytes");
        File.SetLastWriteTimeUtc(file, modified);
        var folder = ImageFolder.Open(images);

        Assert.Equal(modified.Ticks, folder.Samples[2].LastWriteTicks);
        Assert.NotEqual(key, FeatureExtractor.CacheKey(backbone, folder));
    }

    [Fact]
    public void DamagedEntry_IsDetected_Deleted_AndRebuilt()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]);
        var logger = new CapturingLogger();
        using var model = Model(temp["cache"], logger);
        var (good, _) = Extract(model, images, logger);
        var entry = Directory.GetFiles(temp["cache"], "*.mgfeat", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(entry);
        bytes[^100] ^= 0xFF;
        File.WriteAllBytes(entry, bytes);

        var (rebuilt, events) = Extract(model, images, logger);

        Assert.Equal([LogEvents.FeatureCacheEntryDamaged, LogEvents.FeatureCacheStored], events.Select(e => e.EventId.Id));
        Assert.Equal(LogLevel.Warning, events[0].Level);
        Assert.Equal(entry, events[0]["CachePath"]);
        Assert.Contains(entry, events[0].Message);
        Assert.True(good.Features.Identical(rebuilt.Features));
        Assert.Null(FeatureFile.TryRead(temp["nonexistent"], out _));
        Assert.NotNull(FeatureFile.TryRead(entry, out _));
        good.Dispose();
        rebuilt.Dispose();
    }

    [Fact]
    public void TruncatedEntry_IsNeverReadAsData()
    {
        using var temp = new TempFolder();
        using var set = new FeatureSet(rand(10, 4, 2, 2), arange(10, dtype: ScalarType.Int64), ["a", "b"], 0);
        var path = temp["entry.mgfeat"];
        FeatureFile.Write(path, set);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 7).ToArray());

        Assert.Null(FeatureFile.TryRead(path, out var problem));
        Assert.Contains("truncated", problem);
    }

    [Fact]
    public void WriterKilledMidWrite_LeavesNoEntry_OnlyATemporaryFile()
    {
        using var temp = new TempFolder();
        var cache = temp["cache"];
        const string Key = "ab0123456789";

        using (var writer = TestHostProcess.Start("write-cache", cache, Key, "400"))
        {
            var writing = writer.WaitUntil(() => Directory.Exists(cache) && Directory.GetFiles(cache, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories).Length > 0, TimeSpan.FromMinutes(2));
            Assert.True(writing, "the writer never started writing:\n" + writer.Output);
            writer.KillHard();
            Assert.DoesNotContain("written", writer.Output);
        }

        Assert.False(File.Exists(FeatureCache.PathOf(cache, Key)));
        Assert.Null(FeatureCache.TryLoad(cache, Key));
        var leftOver = Directory.GetFiles(cache, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories).Single();
        File.SetLastWriteTimeUtc(leftOver, DateTime.UtcNow - AtomicFile.StaleAfter - TimeSpan.FromMinutes(1));
        using var set = new FeatureSet(rand(3, 2, 1, 1), zeros(3, dtype: ScalarType.Int64), ["a"], 0);
        FeatureCache.Store(cache, Key, set);
        using var read = FeatureCache.TryLoad(cache, Key);
        Assert.NotNull(read);
        Assert.True(read.Features.Identical(set.Features));
        Assert.False(File.Exists(leftOver), "the next write beside it removes the killed writer's stale temporary file");
    }

    [Fact]
    public void ACacheFolderThatIsAFile_IsAWarning_AndTheFeaturesAreReturned()
    {
        // Issue 18 item 13: the cache is an optimisation; Extract failed after computing everything.
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]);
        File.WriteAllText(temp["cache"], "a file where the cache folder should be");
        var logger = new CapturingLogger();
        using var model = Model(temp["cache"], logger);

        var (set, events) = Extract(model, images, logger);

        Assert.Equal(10, set.Count);
        Assert.Equal([LogEvents.FeatureCacheMiss, LogEvents.FeatureCacheNotStored], events.Select(e => e.EventId.Id));
        var warning = events[1];
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith(temp["cache"], (string)warning["CachePath"]!);
        Assert.Contains((string)warning["CachePath"]!, warning.Message);
        Assert.False(string.IsNullOrWhiteSpace((string?)warning["Reason"]));
        Assert.Equal("a file where the cache folder should be", File.ReadAllText(temp["cache"]));
        set.Dispose();
    }

    [Fact]
    public void AFolderWhereTheEntryShouldBe_IsAWarning_AndTheNextExtractComputesAgain()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]);
        var logger = new CapturingLogger();
        using var model = Model(temp["cache"], logger);
        var key = FeatureExtractor.CacheKey(model.Backbone, ImageFolder.Open(images, FashionMethod1.DeclaredClasses));
        Directory.CreateDirectory(FeatureCache.PathOf(temp["cache"], key));

        var (first, firstEvents) = Extract(model, images, logger);
        var (second, secondEvents) = Extract(model, images, logger);

        Assert.Equal([LogEvents.FeatureCacheMiss, LogEvents.FeatureCacheNotStored], firstEvents.Select(e => e.EventId.Id));
        Assert.Equal([LogEvents.FeatureCacheMiss, LogEvents.FeatureCacheNotStored], secondEvents.Select(e => e.EventId.Id));
        Assert.Equal(FeatureCache.PathOf(temp["cache"], key), firstEvents[1]["CachePath"]);
        Assert.True(first.Features.Identical(second.Features));
        Assert.Empty(Directory.GetFiles(temp["cache"], "*", SearchOption.AllDirectories));
        first.Dispose();
        second.Dispose();
    }

    [Theory]
    [InlineData("label", "labels outside the 10 classes")]
    [InlineData("shape", "features of 8x2x2 per image, but the backbone gives")]
    [InlineData("classes", "its classes (a, b, c, d, e, f, g, h, i, j) are not the images'")]
    [InlineData("count", "holds 11 images' features and 0 skipped, but there are 10 images")]
    public void AForgedEntry_WithAMatchingChecksum_IsRebuiltWithAWarning_NotUsed(string forgery, string reason)
    {
        // Issue 18 item 20: an entry under the right key, with its checksum right, but not what these images give.
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Test, perClass: 1, temp["images"]);
        var logger = new CapturingLogger();
        using var model = Model(temp["cache"], logger);
        var (good, _) = Extract(model, images, logger);
        var entry = Directory.GetFiles(temp["cache"], "*.mgfeat", SearchOption.AllDirectories).Single();
        var shape = good.SampleShape;
        using (var forged = forgery switch
        {
            "label" => new FeatureSet(good.Features.clone(), good.Labels.clone().index_fill_(0, tensor(new[] { 3L }), 57), good.Classes, 0),
            "shape" => new FeatureSet(zeros(10, 8, 2, 2), good.Labels.clone(), good.Classes, 0),
            "classes" => new FeatureSet(good.Features.clone(), good.Labels.clone(), [.. "abcdefghij".Select(c => c.ToString())], 0),
            "count" => new FeatureSet(cat([good.Features, good.Features.narrow(0, 0, 1)]), cat([good.Labels, good.Labels.narrow(0, 0, 1)]), good.Classes, 0),
            _ => throw new ArgumentException(forgery),
        })
        {
            FeatureFile.Write(entry, forged);
        }

        var (rebuilt, events) = Extract(model, images, logger);

        Assert.Equal([LogEvents.FeatureCacheEntryDamaged, LogEvents.FeatureCacheStored], events.Select(e => e.EventId.Id));
        Assert.Equal(LogLevel.Warning, events[0].Level);
        Assert.Equal(entry, events[0]["CachePath"]);
        Assert.Contains(reason, (string)events[0]["Problem"]!);
        Assert.True(good.Features.Identical(rebuilt.Features));
        Assert.True(good.Labels.Identical(rebuilt.Labels));
        Assert.Equal(shape, rebuilt.SampleShape);
        good.Dispose();
        rebuilt.Dispose();
    }

    private static Backbone ParameterlessBackbone(string? cutAt, Preprocessing? preprocessing = null) =>
        new(new BackboneDefinition(Architecture.ResNet18, WeightsKind.None, cutAt, [3, 32, 32], [3, 32, 32], 3, BatchNormMode.Frozen, ""), [("relu", nn.ReLU())], preprocessing ?? Preprocessing.ImageNet);

    /// <summary>A model whose messages go to <paramref name="logger"/>.</summary>
    private static FashionMethod1 Model(string cache, CapturingLogger logger) =>
        FashionMethod1.Create(new ModelOptions { CacheDirectory = cache, Device = CPU, Logger = logger });

    /// <summary>Extracts the features of <paramref name="images"/>; returns them and the feature cache's events of this call.</summary>
    private static (FeatureSet Set, IReadOnlyList<LogEntry> Events) Extract(FashionMethod1 model, string images, CapturingLogger logger)
    {
        var before = logger.Entries.Count;
        var set = model.Extract(images);
        return (set, logger.Entries.Skip(before).Where(e => e.EventId.Id is >= 1100 and < 1200).ToList());
    }
}
