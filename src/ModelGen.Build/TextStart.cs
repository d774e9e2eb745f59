using System;
using System.IO;
using System.Text;

namespace ModelGen.Build;

/// <summary>The start of a text file, for the tasks that look into specs and spec-like files.</summary>
internal static class TextStart
{
    /// <summary>
    /// The first <paramref name="bytes"/> bytes of the file as UTF-8 (specs are small; other files may be
    /// large), or null when it cannot be read (the generator reports an unreadable spec itself).
    /// </summary>
    public static string? Read(string path, int bytes)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[bytes];
            var read = 0;
            int count;
            while (read < buffer.Length && (count = stream.Read(buffer, read, buffer.Length - read)) > 0)
            {
                read += count;
            }

            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
