namespace ModelGen.Data;

/// <summary>Where warnings about skipped images go: standard error by default, one line per file, once.</summary>
public static class SkippedImageLog
{
    /// <summary>Receives (path, reason) for every skipped image; set to null to silence.</summary>
    public static Action<string, string>? Handler { get; set; } = (path, reason) => Console.Error.WriteLine($"warning: skipped {path}: {reason}");

    internal static void Report(string path, string reason) => Handler?.Invoke(path, reason);
}
