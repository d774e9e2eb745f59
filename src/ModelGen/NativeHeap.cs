using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// How ModelGen sets up glibc's allocator, which LibTorch uses for every CPU tensor.
/// </summary>
/// <remarks>
/// <para>
/// By default glibc gives each allocation above 32 MiB its own fresh mapping and returns it on free, so a
/// network's large activations (32 images through resnet18's first convolution at 128x128 are exactly
/// 32 MiB, at 224x224 100 MiB) are faulted in page by page on every batch: on the 2-core machine we
/// measure on, that made the first convolution 4x slower (25 ms against 6.5 ms) and the network about 20%
/// slower. On Linux with glibc, <see cref="ModelGenProcess.Tune"/> therefore has freed memory kept and
/// reused: no separate mappings below 1 GiB, and up to 256 MiB of free memory kept at the top of the heap.
/// ModelGen then gives the free memory back itself at the end of each phase of work (after a pass over an
/// image folder, after every training epoch), so the resident memory between phases stays what the data
/// needs. And it uses one arena per process: only the main arena can reuse blocks larger than 64 MiB (the
/// others mmap them), and one arena keeps the memory freed by the decoding threads and by the network in
/// one place (the peak resident memory of a fine-tuning epoch was about 6% lower than with two arenas).
/// </para>
/// <para>
/// The allocator is process-wide, so ModelGen changes it only when the application asks
/// (<see cref="ModelGenProcess.Tune"/> at startup), never as a side effect of creating a model or reading
/// images. Nothing is changed either when the process already chose (any <c>glibc.malloc</c> setting in
/// <c>GLIBC_TUNABLES</c>, or one of <c>MALLOC_ARENA_MAX</c>, <c>MALLOC_MMAP_THRESHOLD_</c>,
/// <c>MALLOC_TRIM_THRESHOLD_</c>), when <c>MODELGEN_NATIVE_HEAP=default</c> is set, when the app sets the
/// <c>ModelGen.NativeHeap.KeepDefaults</c> AppContext switch, or on other platforms and C libraries.
/// <c>bench/ModelGen.Benchmarks compare</c> measures the effect.
/// </para>
/// </remarks>
internal static class NativeHeap
{
    /// <summary>The most glibc arenas a process gets once ModelGen has tuned the allocator.</summary>
    public const int Arenas = 1;

    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;
    private const int ArenaMax = -8;
    private const int KeepBelow = 1 << 30;
    private const int KeepFree = 256 << 20;

    private static readonly Lazy<bool> Configured = new(Configure, LazyThreadSafetyMode.ExecutionAndPublication);
    private static MallOpt? _mallopt;
    private static MallocTrim? _trim;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallOpt(int parameter, int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallocTrim(nuint pad);

    /// <summary>Whether the allocator was tuned in this process (see the remarks); asking changes nothing.</summary>
    public static bool IsTuned => Configured.IsValueCreated && Configured.Value;

    /// <summary>
    /// Tunes the allocator once per process (calling it again does nothing); <see cref="ModelGenProcess.Tune"/>
    /// is the documented way. Returns whether the allocator is tuned.
    /// </summary>
    public static bool EnsureTuned() => Configured.Value;

    /// <summary>
    /// Gives the allocator's free memory back to the system; ModelGen calls this at the end of each phase of
    /// work. Does nothing when the allocator was not tuned (untuned, glibc gives large blocks back by itself).
    /// </summary>
    public static void Release()
    {
        if (IsTuned)
        {
            _trim?.Invoke(0);
        }
    }

    /// <summary>Why the allocator was left alone in this environment, or null if nothing stops ModelGen from tuning it.</summary>
    public static string? KeptDefaultsBecause()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (AppContext.TryGetSwitch("ModelGen.NativeHeap.KeepDefaults", out var keep) && keep)
        {
            return "the ModelGen.NativeHeap.KeepDefaults switch is set";
        }

        if (string.Equals(Environment.GetEnvironmentVariable("MODELGEN_NATIVE_HEAP"), "default", StringComparison.OrdinalIgnoreCase))
        {
            return "MODELGEN_NATIVE_HEAP=default";
        }

        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is { } tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
        {
            return "GLIBC_TUNABLES sets glibc.malloc options";
        }

        foreach (var name in new[] { "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_" })
        {
            if (Environment.GetEnvironmentVariable(name) is not null)
            {
                return name + " is set";
            }
        }

        return null;
    }

    private static bool Configure()
    {
        if (KeptDefaultsBecause() is not null
            || !NativeLibrary.TryLoad("libc.so.6", out var libc)
            || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
            || !NativeLibrary.TryGetExport(libc, "mallopt", out var mallopt)
            || !NativeLibrary.TryGetExport(libc, "malloc_trim", out var trim))
        {
            return false;
        }

        _mallopt = Marshal.GetDelegateForFunctionPointer<MallOpt>(mallopt);
        _trim = Marshal.GetDelegateForFunctionPointer<MallocTrim>(trim);
        return _mallopt(MmapThreshold, KeepBelow) == 1
            & _mallopt(TrimThreshold, KeepFree) == 1
            & _mallopt(ArenaMax, Arenas) == 1;
    }
}
