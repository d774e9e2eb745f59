using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// A phase with the whole backbone frozen and no augmentation trains on cached features
/// (<c>feature_cache</c>): <c>Train(directories)</c> extracts the training images once into the cache,
/// and the phase learns from what the cache holds.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class FeatureCacheTrainingTests
{
    [Fact]
    public void FrozenPhase_WritesTheTrainingFeaturesToTheCache_AndTrainsOnWhatTheCacheHolds()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 2, temp["train"]);
        var logger = new CapturingLogger();
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = 3, Logger = logger };
        var trainOptions = new TrainOptions { Progress = ProgressMode.None, OutputDirectory = temp["out"] };

        // A first run: the frozen phase "head" extracts the images once and stores them; the phase
        // "tune" (augmented, backbone training) reads images and extracts nothing.
        string key;
        List<double> realLosses;
        using (var model = TinySeeded.Create(options))
        {
            key = FeatureExtractor.CacheKey(model.Backbone, ImageFolder.Open(train, TinySeeded.DeclaredClasses));
            realLosses = HeadLosses(model.Train(train, trainOptions: trainOptions));
        }

        Assert.Equal(new[] { $"{LogEvents.FeatureCacheMiss} {key}", $"{LogEvents.FeatureCacheStored} {key}" }, CacheEvents(logger));
        var entry = FeatureCache.PathOf(temp["cache"], key);
        Assert.True(File.Exists(entry));

        // Replace the entry with other features (the real ones negated): a run from the same seed that
        // trains on the cache must now match a run on those features exactly, and differ from the first.
        FeatureSet madeUp;
        using (var cached = FeatureFile.TryRead(entry, out var problem) ?? throw new InvalidOperationException(problem))
        {
            madeUp = new FeatureSet(cached.Features.neg(), cached.Labels.clone(), cached.Classes, 0);
        }

        using (madeUp)
        {
            FeatureFile.Write(entry, madeUp);
            var second = new CapturingLogger();
            List<double> fromCache;
            using (var model = TinySeeded.Create(options with { Logger = second }))
            {
                fromCache = HeadLosses(model.Train(train, trainOptions: trainOptions));
            }

            List<double> fromFeatures;
            using (var model = TinySeeded.Create(options))
            {
                fromFeatures = HeadLosses(model.Train(madeUp, trainOptions: trainOptions));
            }

            Assert.Equal(new[] { $"{LogEvents.FeatureCacheHit} {key}" }, CacheEvents(second));
            Assert.Equal(fromFeatures, fromCache);
            Assert.NotEqual(realLosses, fromCache);
        }
    }

    private static List<double> HeadLosses(TrainingHistory history) =>
        history.Epochs.Where(e => e.Phase == "head").Select(e => e.Loss).ToList();

    /// <summary>The feature cache's events: "event-id cache-key" each.</summary>
    private static List<string> CacheEvents(CapturingLogger logger) =>
        logger.Entries.Where(e => e.EventId.Id is >= 1100 and < 1200).Select(e => $"{e.EventId.Id} {e["CacheKey"]}").ToList();
}
