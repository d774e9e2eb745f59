using System.Reflection;

namespace ModelGen.Build.Tests;

/// <summary>The real libraries the tests read: TorchSharp's libLibTorchSharp.so and the system libstdc++.</summary>
internal static class RealLibraries
{
    /// <summary>The pristine libLibTorchSharp.so from the restored TorchSharp package (read, never written).</summary>
    public static string LibTorchSharp { get; } = typeof(RealLibraries).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LibTorchSharpPath").Value!;

    /// <summary>A private copy of the real library in a fresh temporary folder.</summary>
    public static string CopyOfLibTorchSharp(TempDirectory directory, string name = "libLibTorchSharp.so")
    {
        var path = Path.Combine(directory.Path, name);
        File.Copy(LibTorchSharp, path);
        return path;
    }
}
