using Microsoft.Extensions.Logging;

namespace ModelGen.Data;

/// <summary>The messages of the data pipeline (images, feature extraction and cache) on the run's logger.</summary>
internal static partial class DataLog
{
    [LoggerMessage(EventId = LogEvents.ImageSkipped, EventName = nameof(LogEvents.ImageSkipped), Level = LogLevel.Warning,
        Message = "Skipped the image {ImagePath}: {Reason}")]
    public static partial void ImageSkipped(this ILogger logger, string imagePath, string reason);

    [LoggerMessage(EventId = LogEvents.ManifestRowSkipped, EventName = nameof(LogEvents.ManifestRowSkipped), Level = LogLevel.Error,
        Message = "Skipped row {Row} of the manifest {ManifestPath}: {Reason}")]
    public static partial void ManifestRowSkipped(this ILogger logger, string manifestPath, int row, string reason);

    [LoggerMessage(EventId = LogEvents.ValidationSplitHeldOut, EventName = nameof(LogEvents.ValidationSplitHeldOut), Level = LogLevel.Information,
        Message = "Validation split: {Held} of {Total} training features held out for validation (training.validation_split {Split})")]
    public static partial void ValidationSplitHeldOut(this ILogger logger, int held, int total, double split);

    [LoggerMessage(EventId = LogEvents.ValidationSplitImagesHeldOut, EventName = nameof(LogEvents.ValidationSplitImagesHeldOut), Level = LogLevel.Information,
        Message = "Validation split: {Held} of {Total} training images held out for validation (training.validation_split {Split}, seed {Seed}; held out per class: {PerClass})")]
    public static partial void ValidationSplitImagesHeldOut(this ILogger logger, int held, int total, double split, int seed, string perClass);

    [LoggerMessage(EventId = LogEvents.FeaturesExtracted, EventName = nameof(LogEvents.FeaturesExtracted), Level = LogLevel.Information,
        Message = "Extracted features from {Images}: {Count} images → {FeatureShape}, {Skipped} skipped ({Seconds:0.0}s, {Rate:0.0} images/s)")]
    public static partial void FeaturesExtracted(this ILogger logger, string images, long count, string featureShape, int skipped, double seconds, double rate);

    [LoggerMessage(EventId = LogEvents.FeatureCacheHit, EventName = nameof(LogEvents.FeatureCacheHit), Level = LogLevel.Debug,
        Message = "Feature cache hit: {CacheKey} ({CachePath})")]
    public static partial void FeatureCacheHit(this ILogger logger, string cacheKey, string cachePath);

    [LoggerMessage(EventId = LogEvents.FeatureCacheMiss, EventName = nameof(LogEvents.FeatureCacheMiss), Level = LogLevel.Debug,
        Message = "Feature cache miss: {CacheKey} ({CachePath})")]
    public static partial void FeatureCacheMiss(this ILogger logger, string cacheKey, string cachePath);

    [LoggerMessage(EventId = LogEvents.FeatureCacheStored, EventName = nameof(LogEvents.FeatureCacheStored), Level = LogLevel.Debug,
        Message = "Feature cache stored: {CacheKey} ({CachePath})")]
    public static partial void FeatureCacheStored(this ILogger logger, string cacheKey, string cachePath);

    [LoggerMessage(EventId = LogEvents.FeatureCacheEntryDamaged, EventName = nameof(LogEvents.FeatureCacheEntryDamaged), Level = LogLevel.Warning,
        Message = "The cached features {CachePath} cannot be used ({Problem}); extracting them again")]
    public static partial void FeatureCacheEntryDamaged(this ILogger logger, string cachePath, string problem);

    [LoggerMessage(EventId = LogEvents.FeatureCacheNotStored, EventName = nameof(LogEvents.FeatureCacheNotStored), Level = LogLevel.Warning,
        Message = "The extracted features could not be stored in the feature cache as {CachePath} ({Reason}); they are used all the same, and extracted again next time")]
    public static partial void FeatureCacheNotStored(this ILogger logger, string cachePath, string reason);
}
