namespace ModelGen;

/// <summary>
/// Writes files so that readers see the old file or the whole new one, never half of it: the content goes
/// to a temporary file in the same folder, is flushed to disk, and is then renamed over the target.
/// A writer killed midway leaves only a temporary file, which later writes clean up.
/// </summary>
public static class AtomicFile
{
    /// <summary>The suffix of temporary files (with a process id and a random part before it).</summary>
    public const string TemporarySuffix = ".mgtmp";

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
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");
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

    /// <summary>Removes temporary files older than <paramref name="age"/> left in <paramref name="directory"/> by killed writers.</summary>
    public static void CleanUp(string directory, TimeSpan age)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*" + TemporarySuffix))
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > age)
            {
                TryDelete(file);
            }
        }
    }

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
