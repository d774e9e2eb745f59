using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace ModelGen.Build.LibTorchSharp;

/// <summary>Finds the libstdc++ that the dynamic loader gives .NET processes on this machine.</summary>
public static class SystemLibStdCxx
{
    private static readonly string[] StandardDirectories =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/usr/lib64", "/lib64", "/usr/lib", "/lib",
    ];

    /// <summary>
    /// The path of the system libstdc++: first the copy this very process has mapped (the .NET runtime
    /// links it, so it is what the loader will pick for the app too), then the usual library folders.
    /// Null when none is found.
    /// </summary>
    public static string? Locate()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return null;
        }

        var mapped = FromProcessMaps("/proc/self/maps");
        if (mapped is not null)
        {
            return mapped;
        }

        return StandardDirectories
            .Select(directory => Path.Combine(directory, GlibcxxMarkerPatch.LibStdCxx))
            .FirstOrDefault(File.Exists);
    }

    private static string? FromProcessMaps(string mapsPath)
    {
        try
        {
            foreach (var line in File.ReadLines(mapsPath))
            {
                // The mapped path is the real file behind the soname link, e.g. libstdc++.so.6.0.30.
                var slash = line.IndexOf('/');
                if (slash >= 0 && Path.GetFileName(line).StartsWith(GlibcxxMarkerPatch.LibStdCxx, StringComparison.Ordinal))
                {
                    return line.Substring(slash);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
