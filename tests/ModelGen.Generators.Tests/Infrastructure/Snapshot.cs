using System.Runtime.CompilerServices;
using ModelGen.Testing;

namespace ModelGen.Generators.Tests.Infrastructure;

/// <summary>
/// Snapshot checks of generated code, with ModelGen.Testing's <see cref="SnapshotFile"/>: the expected text
/// lives in <c>Snapshots/&lt;Class&gt;.&lt;Test&gt;.verified.cs</c>; on a mismatch the actual text is written
/// next to it as <c>.received.cs</c> and the failure shows a readable diff. Accepting is explicit: run
/// <c>tests/accept-snapshots.sh</c> (or set <c>MODELGEN_ACCEPT_SNAPSHOTS=1</c> for one run) and review the
/// change in git.
/// </summary>
internal static class Snapshot
{
    /// <summary>
    /// Checks <paramref name="actual"/> against the snapshot of the calling test. The folder comes from the
    /// repository root the build recorded, not from the caller's file path, which deterministic CI builds
    /// rewrite (to /_/...).
    /// </summary>
    public static void Verify(string actual, string? suffix = null, [CallerFilePath] string callerFile = "", [CallerMemberName] string test = "")
    {
        var folder = Directory.CreateDirectory(Path.Combine(Repository.Root, "tests", "ModelGen.Generators.Tests", "Snapshots")).FullName;
        var name = $"{Path.GetFileNameWithoutExtension(callerFile.Replace('\\', '/').Split('/')[^1])}.{test}{(suffix is null ? "" : "." + suffix)}";
        SnapshotFile.Verify(actual, Path.Combine(folder, name + ".verified.cs"));
    }
}
