using System.Runtime.Versioning;
using Microsoft.Build.Utilities;

namespace ModelGen.Build.Tests;

/// <summary>The task on real library copies; the fix and these tests are about Linux.</summary>
[SupportedOSPlatform("linux")]
public sealed class PatchLibTorchSharpTaskTests
{
    [Fact]
    public void Execute_OnDebian12_PatchesTheOutputCopyAndLogsOneLineWhy()
    {
        using var temp = new TempDirectory();
        var library = RealLibraries.CopyOfLibTorchSharp(temp);
        var original = File.ReadAllBytes(library);
        var mode = File.GetUnixFileMode(library);
        var timestamp = File.GetLastWriteTimeUtc(library);
        var (task, engine) = CreateTask(temp, library, ElfMutations.LibStdCxxWithout3432());

        Assert.True(task.Execute());

        var line = Assert.Single(engine.Messages, m => m.Contains("marked GLIBCXX_3.4.32 weak"));
        Assert.Contains(library, line);
        Assert.Contains("link-time marker", line);
        Assert.Contains("ModelGenPatchLibTorchSharp=false", line);
        Assert.Empty(engine.Warnings);
        Assert.Single(task.PatchedFiles);
        var patched = File.ReadAllBytes(library);
        Assert.Equal(original.Length, patched.Length);
        Assert.Equal(1, Enumerable.Range(0, patched.Length).Count(i => patched[i] != original[i]));
        Assert.Equal(mode, File.GetUnixFileMode(library));
        Assert.Equal(timestamp, File.GetLastWriteTimeUtc(library));
        Assert.Equal(["libLibTorchSharp.so", "system-libstdc++.so.6"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Execute_Twice_LeavesThePatchedFileAsItIs()
    {
        using var temp = new TempDirectory();
        var library = RealLibraries.CopyOfLibTorchSharp(temp);
        Assert.True(CreateTask(temp, library, ElfMutations.LibStdCxxWithout3432()).Task.Execute());
        var once = File.ReadAllBytes(library);

        var (again, engine) = CreateTask(temp, library, ElfMutations.LibStdCxxWithout3432());
        Assert.True(again.Execute());

        Assert.Equal(once, File.ReadAllBytes(library));
        Assert.Empty(again.PatchedFiles);
        Assert.Contains(engine.Messages, m => m.Contains("already weak"));
    }

    [Fact]
    public void Execute_WhenASecondSymbolNeedsTheVersion_LeavesTheLibraryAloneWithAWarning()
    {
        using var temp = new TempDirectory();
        var library = Path.Combine(temp.Path, "libLibTorchSharp.so");
        var (bytes, symbol) = ElfMutations.BindSecondSymbolToGlibcxx3432(File.ReadAllBytes(RealLibraries.LibTorchSharp));
        File.WriteAllBytes(library, bytes);
        var (task, engine) = CreateTask(temp, library, ElfMutations.LibStdCxxWithout3432());

        Assert.True(task.Execute());

        var warning = Assert.Single(engine.Warnings);
        Assert.Contains("left", warning);
        Assert.Contains(symbol, warning);
        Assert.Equal(bytes, File.ReadAllBytes(library));
        Assert.Empty(task.PatchedFiles);
    }

    [Fact]
    public void Execute_WhenTheSystemProvidesTheVersion_LeavesTheLibraryAlone()
    {
        using var temp = new TempDirectory();
        var library = RealLibraries.CopyOfLibTorchSharp(temp);
        var (task, engine) = CreateTask(temp, library, ElfMutations.LibStdCxxWith3432());

        Assert.True(task.Execute());

        Assert.Equal(File.ReadAllBytes(RealLibraries.LibTorchSharp), File.ReadAllBytes(library));
        Assert.Empty(engine.Warnings);
        Assert.Contains(engine.Messages, m => m.Contains("system libstdc++ provides"));
    }

    [Fact]
    public void Execute_OnAHardLinkIntoThePackageCache_ReplacesTheLinkAndKeepsTheCacheFile()
    {
        using var temp = new TempDirectory();
        var cache = Directory.CreateDirectory(Path.Combine(temp.Path, "cache")).FullName;
        var cached = RealLibraries.CopyOfLibTorchSharp(temp, "cache/libLibTorchSharp.so");
        var output = Directory.CreateDirectory(Path.Combine(temp.Path, "bin")).FullName;
        var linked = Path.Combine(output, "libLibTorchSharp.so");
        Assert.Equal(0, Link(cached, linked));
        var (task, _) = CreateTask(temp, linked, ElfMutations.LibStdCxxWithout3432());
        task.NuGetPackageRoot = cache;

        Assert.True(task.Execute());

        Assert.Equal(File.ReadAllBytes(RealLibraries.LibTorchSharp), File.ReadAllBytes(cached));
        Assert.NotEqual(File.ReadAllBytes(cached), File.ReadAllBytes(linked));
    }

    [Fact]
    public void Execute_OnAFileInsideThePackageRoot_RefusesToTouchIt()
    {
        using var temp = new TempDirectory();
        var library = RealLibraries.CopyOfLibTorchSharp(temp);
        var (task, engine) = CreateTask(temp, library, ElfMutations.LibStdCxxWithout3432());
        task.NuGetPackageRoot = temp.Path;

        Assert.True(task.Execute());

        Assert.Equal(File.ReadAllBytes(RealLibraries.LibTorchSharp), File.ReadAllBytes(library));
        Assert.Contains("NuGet package folder", Assert.Single(engine.Warnings));
    }

    [Fact]
    public void Execute_OffLinux_DoesNothing()
    {
        using var temp = new TempDirectory();
        var library = RealLibraries.CopyOfLibTorchSharp(temp);
        var (task, _) = CreateTask(temp, library, ElfMutations.LibStdCxxWithout3432());
        task.IsLinux = false;

        Assert.True(task.Execute());

        Assert.Equal(File.ReadAllBytes(RealLibraries.LibTorchSharp), File.ReadAllBytes(library));
    }

    [Fact]
    public void Execute_OnAFileThatIsNotElf_WarnsAndKeepsIt()
    {
        using var temp = new TempDirectory();
        var library = Path.Combine(temp.Path, "libLibTorchSharp.so");
        File.WriteAllText(library, "not a library");
        var (task, engine) = CreateTask(temp, library, ElfMutations.LibStdCxxWithout3432());

        Assert.True(task.Execute());

        Assert.Equal("not a library", File.ReadAllText(library));
        Assert.Contains("could not be read as ELF", Assert.Single(engine.Warnings));
    }

    private static (PatchLibTorchSharp Task, RecordingBuildEngine Engine) CreateTask(TempDirectory temp, string library, byte[] systemLibStdCxx)
    {
        var system = Path.Combine(temp.Path, "system-libstdc++.so.6");
        File.WriteAllBytes(system, systemLibStdCxx);
        var engine = new RecordingBuildEngine();
        var task = new PatchLibTorchSharp
        {
            BuildEngine = engine,
            Files = [new TaskItem(library)],
            SystemLibStdCxxPath = system,
        };
        return (task, engine);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string newPath);
}
