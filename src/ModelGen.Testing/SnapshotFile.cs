using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace ModelGen.Testing;

/// <summary>
/// Compares text with a <c>.verified</c> file. On a mismatch the text is written to the matching
/// <c>.received</c> file and <see cref="SnapshotMismatchException"/> shows the changed lines; accepting is
/// explicit (rename the file, or set <c>MODELGEN_ACCEPT_SNAPSHOTS=1</c> for one run).
/// </summary>
public static class SnapshotFile
{
    /// <summary>The environment variable that accepts every snapshot of a run.</summary>
    public const string AcceptVariable = "MODELGEN_ACCEPT_SNAPSHOTS";

    /// <summary>Checks <paramref name="actual"/> against <paramref name="verifiedPath"/>.</summary>
    /// <exception cref="SnapshotMismatchException">The text differs, or there is no verified file yet.</exception>
    public static void Verify(string actual, string verifiedPath)
    {
        var receivedPath = verifiedPath.Replace(".verified.", ".received.", StringComparison.Ordinal);
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        var expected = File.Exists(verifiedPath) ? File.ReadAllText(verifiedPath).Replace("\r\n", "\n", StringComparison.Ordinal) : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual);
        throw new SnapshotMismatchException(expected is null
            ? $"New snapshot: review {receivedPath}, then accept it by renaming it to {Path.GetFileName(verifiedPath)} (or set {AcceptVariable}=1 for one run)."
            : $"{Path.GetFileName(verifiedPath)} differs (- verified, + received; the received text is in {receivedPath}):\n{Diff(expected, actual)}");
    }

    /// <summary>The changed lines with two lines of context, prefixed with - and +.</summary>
    public static string Diff(string expected, string actual)
    {
        var lines = InlineDiffBuilder.Diff(expected, actual).Lines;
        var text = new StringBuilder();
        var lastShown = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            var near = Enumerable.Range(Math.Max(0, i - 2), Math.Min(lines.Count, i + 3) - Math.Max(0, i - 2)).Any(j => lines[j].Type != ChangeType.Unchanged);
            if (!near)
            {
                continue;
            }

            if (lastShown >= 0 && i > lastShown + 1)
            {
                text.AppendLine("  ...");
            }

            var prefix = lines[i].Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            text.Append(prefix).Append(lines[i].Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "").Append(": ").AppendLine(lines[i].Text);
            lastShown = i;
        }

        return text.ToString();
    }
}

/// <summary>A snapshot does not match; the message holds the diff.</summary>
public sealed class SnapshotMismatchException(string message) : Exception(message);
