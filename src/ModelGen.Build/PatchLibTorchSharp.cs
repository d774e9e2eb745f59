using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelGen.Build.LibTorchSharp;

namespace ModelGen.Build;

/// <summary>
/// Makes TorchSharp load on Linux systems whose libstdc++ predates GCC 13 (Debian 12): marks the
/// <c>GLIBCXX_3.4.32</c> requirement of copies of <c>libLibTorchSharp.so</c> in output folders weak,
/// when <see cref="GlibcxxMarkerPatch"/> shows that to be safe. Never touches the NuGet cache.
/// Turned off with <c>&lt;ModelGenPatchLibTorchSharp&gt;false&lt;/ModelGenPatchLibTorchSharp&gt;</c>.
/// </summary>
public sealed class PatchLibTorchSharp : Task
{
    /// <summary>The copies of <c>libLibTorchSharp.so</c> in the output folder.</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = [];

    /// <summary>The NuGet package folder; files under it are never modified.</summary>
    public string? NuGetPackageRoot { get; set; }

    /// <summary>Overrides where the system libstdc++ is looked for (tests, unusual systems).</summary>
    public string? SystemLibStdCxxPath { get; set; }

    /// <summary>Overrides the platform check (tests on other systems); by default only Linux is patched.</summary>
    public bool? IsLinux { get; set; }

    /// <summary>The files that were modified.</summary>
    [Output]
    public ITaskItem[] PatchedFiles { get; private set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        if (!(IsLinux ?? RuntimeInformation.IsOSPlatform(OSPlatform.Linux)))
        {
            Log.LogMessage(MessageImportance.Low, "ModelGen: libLibTorchSharp.so is only patched on Linux.");
            return true;
        }

        var systemPath = string.IsNullOrEmpty(SystemLibStdCxxPath) ? SystemLibStdCxx.Locate() : SystemLibStdCxxPath;
        var systemBytes = systemPath is not null && File.Exists(systemPath) ? File.ReadAllBytes(systemPath) : null;
        var patched = new List<ITaskItem>();
        foreach (var item in Files)
        {
            if (PatchOne(item.GetMetadata("FullPath"), systemPath, systemBytes))
            {
                patched.Add(item);
            }
        }

        PatchedFiles = patched.ToArray();
        return !Log.HasLoggedErrors;
    }

    private bool PatchOne(string path, string? systemPath, byte[]? systemBytes)
    {
        if (IsUnderPackageRoot(path))
        {
            Log.LogWarning($"ModelGen: left {path} alone: it lies in the NuGet package folder, which is never modified.");
            return false;
        }

        try
        {
            var library = File.ReadAllBytes(path);
            var decision = GlibcxxMarkerPatch.Decide(library, systemBytes);
            switch (decision.Outcome)
            {
                case PatchOutcome.Patched:
                    WriteReplacing(path, GlibcxxMarkerPatch.Apply(library, decision.FlagsOffset));
                    Log.LogMessage(
                        MessageImportance.High,
                        $"ModelGen: marked {GlibcxxMarkerPatch.Version} weak in {path}: {decision.Reason} "
                        + $"(system library: {systemPath}; set ModelGenPatchLibTorchSharp=false to turn this off).");
                    return true;
                case PatchOutcome.Refused:
                    Log.LogWarning($"ModelGen: left {path} unpatched, so TorchSharp may fail to load: {decision.Reason}.");
                    return false;
                default:
                    Log.LogMessage(MessageImportance.Low, $"ModelGen: {path} needs no patch: {decision.Reason}.");
                    return false;
            }
        }
        catch (IOException e)
        {
            Log.LogWarning($"ModelGen: could not patch {path}: {e.Message}");
            return false;
        }
        catch (UnauthorizedAccessException e)
        {
            Log.LogWarning($"ModelGen: could not patch {path}: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// Writes a new file and renames it over the old one: a hard link into the NuGet cache (MSBuild may
    /// link instead of copying) is replaced, not written through, and a reader never sees half a file.
    /// The copy keeps the original's permissions, and its timestamp is kept so that incremental builds
    /// do not copy the file again.
    /// </summary>
    private static void WriteReplacing(string path, byte[] bytes)
    {
        var temp = path + ".modelgen-tmp";
        var timestamp = File.GetLastWriteTimeUtc(path);
        File.Copy(path, temp, overwrite: true);
        using (var stream = new FileStream(temp, FileMode.Truncate, FileAccess.Write))
        {
            stream.Write(bytes, 0, bytes.Length);
            stream.Flush(flushToDisk: true);
        }

        File.SetLastWriteTimeUtc(temp, timestamp);
        File.Replace(temp, path, destinationBackupFileName: null);
    }

    private bool IsUnderPackageRoot(string path)
    {
        if (string.IsNullOrEmpty(NuGetPackageRoot))
        {
            return false;
        }

        var root = Path.GetFullPath(NuGetPackageRoot).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(path).StartsWith(root, StringComparison.Ordinal);
    }
}
