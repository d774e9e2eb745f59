using System.Globalization;

namespace ModelGen.Storage;

/// <summary>
/// Writes files so that readers see the old file or the whole new one, never half of it: the content goes
/// to a temporary file in the same folder, is flushed to disk, and is then renamed over the target.
/// A writer killed midway leaves only a temporary file, named so that it is recognised: the next write
/// to the same folder removes those older than <see cref="StaleAfter"/>.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The suffix of temporary files (with a process id and a random part before it).</summary>
    public const string TemporarySuffix = ".mgtmp";

    /// <summary>How old a temporary file must be before a write beside it removes it (no live write lasts this long without writing).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/> atomically.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="durable">
    /// Flush the content to disk before the rename (the default), so that after a power cut the file is
    /// the old one or the whole new one. Without it the rename is still atomic for other processes, but a
    /// power cut can leave a file of the right name with lost content: only for files that are verified on
    /// reading and can be made again (the feature cache).
    /// </param>
    public static void Write(string path, Action<Stream> write, bool durable = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        CleanUp(directory, StaleAfter);
        var temporary = Path.Combine(directory, TemporaryName(Path.GetFileName(path)));
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: durable);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Removes the temporary files older than <paramref name="age"/> that killed writers left in
    /// <paramref name="directory"/>. Only names this class makes are touched; failures are ignored
    /// (cleaning up must never make a write fail).
    /// </summary>
    public static void CleanUp(string directory, TimeSpan age)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                return;
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*" + TemporarySuffix))
            {
                if (IsTemporary(Path.GetFileName(file)) && DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > age)
                {
                    TryDelete(file);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Whether <paramref name="fileName"/> is a temporary file of <see cref="Write"/>: <c>.{target}.{process id}.{32 hex digits}.mgtmp</c>.</summary>
    public static bool IsTemporary(string fileName)
    {
        if (!fileName.StartsWith('.') || !fileName.EndsWith(TemporarySuffix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = fileName[..^TemporarySuffix.Length].Split('.');
        return parts.Length >= 4
            && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && parts[^1].Length == 32
            && parts[^1].All(char.IsAsciiHexDigitLower);
    }

    private static string TemporaryName(string target) =>
        string.Create(CultureInfo.InvariantCulture, $".{target}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
