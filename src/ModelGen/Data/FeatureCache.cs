namespace ModelGen.Data;

/// <summary>
/// Extracted features on disk, keyed by everything that changes them (see <see cref="FeatureExtractor"/>).
/// Entries are written atomically; a damaged entry is reported, deleted and rebuilt, never read as data.
/// </summary>
public static class FeatureCache
{
    /// <summary>The environment variable naming the cache folder.</summary>
    public const string EnvironmentVariable = "MODELGEN_CACHE";

    /// <summary>Reports cache events (hit, miss, rebuilt); default: nothing.</summary>
    public static Action<string>? Log { get; set; }

    /// <summary>The cache folder for <paramref name="options"/>: the option, <c>MODELGEN_CACHE</c>, or <c>~/.cache/modelgen/features</c>.</summary>
    public static string Folder(ModelOptions options) =>
        options.CacheDirectory is { Length: > 0 } folder ? folder
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modelgen", "features");

    /// <summary>The file that holds the entry for <paramref name="key"/>.</summary>
    public static string PathOf(string folder, string key) => Path.Combine(folder, key[..2], key + ".mgfeat");

    /// <summary>The cached features for <paramref name="key"/>, or null on a miss (a damaged entry is deleted).</summary>
    public static FeatureSet? TryLoad(string folder, string key)
    {
        var path = PathOf(folder, key);
        if (!File.Exists(path))
        {
            Log?.Invoke($"feature cache miss: {key}");
            return null;
        }

        var set = FeatureFile.TryRead(path, out var problem);
        if (set is null)
        {
            Console.Error.WriteLine($"warning: the cached features {path} cannot be used ({problem}); extracting them again.");
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }

            return null;
        }

        Log?.Invoke($"feature cache hit: {key}");
        return set;
    }

    /// <summary>Stores features under <paramref name="key"/> (atomically).</summary>
    public static void Store(string folder, string key, FeatureSet set)
    {
        var path = PathOf(folder, key);
        FeatureFile.Write(path, set);
        Log?.Invoke($"feature cache stored: {key}");
    }
}
