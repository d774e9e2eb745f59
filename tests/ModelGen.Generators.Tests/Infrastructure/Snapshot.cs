using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace ModelGen.Generators.Tests.Infrastructure;

/// <summary>
/// Snapshot checks of generated code. The expected text lives in <c>Snapshots/&lt;Class&gt;.&lt;Test&gt;.verified.cs</c>;
/// on a mismatch the actual text is written next to it as <c>.received.cs</c> and the failure shows a
/// readable diff. Accepting is explicit: run <c>tests/accept-snapshots.sh</c> (or set
/// <c>MODELGEN_ACCEPT_SNAPSHOTS=1</c> for one run) and review the change in git.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string actual, string? suffix = null, [CallerFilePath] string callerFile = "", [CallerMemberName] string test = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        var name = $"{Path.GetFileNameWithoutExtension(callerFile)}.{test}{(suffix is null ? "" : "." + suffix)}";
        var verified = Path.Combine(folder, name + ".verified.cs");
        var received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        if (Environment.GetEnvironmentVariable("MODELGEN_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        var message = expected is null
            ? $"New snapshot {name}: review {received}, then accept it with tests/accept-snapshots.sh."
            : $"Snapshot {name} differs (- verified, + received); accept with tests/accept-snapshots.sh if intended:\n{Diff(expected, actual)}";
        Assert.Fail(message);
    }

    private static string Diff(string expected, string actual)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual);
        var text = new StringBuilder();
        var lines = diff.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            // Changed lines with two lines of context around them.
            var near = Enumerable.Range(Math.Max(0, i - 2), Math.Min(lines.Count, i + 3) - Math.Max(0, i - 2)).Any(j => lines[j].Type != ChangeType.Unchanged);
            if (!near)
            {
                continue;
            }

            var prefix = lines[i].Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            text.Append(prefix).Append(i + 1).Append(": ").AppendLine(lines[i].Text);
        }

        return text.ToString();
    }
}
