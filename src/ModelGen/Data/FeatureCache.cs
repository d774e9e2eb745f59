using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelGen.Data;

/// <summary>
/// Extracted features on disk, keyed by everything that changes them (see <see cref="FeatureExtractor"/>).
/// Entries are written atomically; a damaged entry is reported, deleted and rebuilt, never read as data.
/// Hits, misses and stores are logged at debug level; damaged entries, and entries that cannot be stored, as warnings.
/// </summary>
internal static class FeatureCache
{
    /// <summary>The environment variable naming the cache folder.</summary>
    public const string EnvironmentVariable = "MODELGEN_CACHE";

    /// <summary>The cache folder for <paramref name="options"/>: the option, <c>MODELGEN_CACHE</c>, or <c>~/.cache/modelgen/features</c>.</summary>
    public static string Folder(ModelOptions options) =>
        options.CacheDirectory is { Length: > 0 } folder ? folder
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modelgen", "features");

    /// <summary>The file that holds the entry for <paramref name="key"/>.</summary>
    public static string PathOf(string folder, string key) => Path.Combine(folder, key[..2], key + ".mgfeat");

    /// <summary>
    /// The cached features for <paramref name="key"/>, or null on a miss. A damaged entry, or one that
    /// <paramref name="fits"/> refuses (it returns why, or null), is deleted and reported to <paramref name="logger"/>.
    /// </summary>
    public static FeatureSet? TryLoad(string folder, string key, ILogger? logger = null, Func<FeatureSet, string?>? fits = null)
    {
        logger ??= NullLogger.Instance;
        var path = PathOf(folder, key);
        if (!File.Exists(path))
        {
            logger.FeatureCacheMiss(key, path);
            return null;
        }

        var set = FeatureFile.TryRead(path, out var problem);
        if (set is not null && fits?.Invoke(set) is { } misfit)
        {
            set.Dispose();
            (set, problem) = (null, misfit);
        }

        if (set is null)
        {
            logger.FeatureCacheEntryDamaged(path, problem ?? "unreadable");
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }

            return null;
        }

        logger.FeatureCacheHit(key, path);
        return set;
    }

    /// <summary>
    /// Stores features under <paramref name="key"/> (atomically) and logs the store to <paramref name="logger"/> at
    /// debug level. A cache that cannot be written (a file where its folder should be, no permission, a full disk)
    /// is only an optimisation lost: a warning, and false (issue 18 item 13).
    /// </summary>
    public static bool Store(string folder, string key, FeatureSet set, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var path = PathOf(folder, key);
        try
        {
            FeatureFile.Write(path, set);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.FeatureCacheNotStored(path, e.Message);
            return false;
        }

        logger.FeatureCacheStored(key, path);
        return true;
    }
}
