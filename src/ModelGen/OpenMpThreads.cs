using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ModelGen;

/// <summary>
/// Runs LibTorch's operators on one thread alone, for work on pool threads (preparing batches).
/// </summary>
/// <remarks>
/// A pool thread that runs a parallel operator gets an OpenMP team of its own; once a process has more
/// OpenMP threads than cores, libgomp stops spinning between parallel regions in every team and the
/// network on the main thread pays (one image through resnet18 to layer3: 4.7 ms before any batch was
/// read, 8.5 ms after, on 2 cores). <c>torch.set_num_threads</c> cannot be used for this: besides the
/// calling thread's OpenMP setting it changes the count that every thread takes when it first uses
/// LibTorch, so a thread starting meanwhile would keep one thread for good. This sets the calling thread's
/// OpenMP count alone, through the OpenMP runtime LibTorch is linked with (found among the loaded
/// libraries; Linux only: elsewhere, and when it is not found, nothing changes).
/// </remarks>
internal static class OpenMpThreads
{
    private static readonly Lazy<SetNumThreads?> Set = new(Find, LazyThreadSafetyMode.ExecutionAndPublication);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void SetNumThreads(int threads);

    /// <summary>Whether <see cref="OnThisThreadAlone"/> can do anything in this process.</summary>
    public static bool Available => Set.Value is not null;

    /// <summary>
    /// Until disposed, LibTorch's operators called on this thread run on it alone; then the thread's
    /// previous count comes back. Other threads are not affected.
    /// </summary>
    public static Scope OnThisThreadAlone()
    {
        // LibTorch sets a thread's OpenMP count when the thread first uses it: let that happen first, so
        // that it does not undo ours.
        var previous = get_num_threads();
        if (Set.Value is not { } set || previous == 1)
        {
            return default;
        }

        set(1);
        return new Scope(set, previous);
    }

    private static SetNumThreads? Find()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        _ = get_num_threads(); // loads LibTorch, and with it its OpenMP runtime
        var loaded = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
            .Select(fields => fields[5].Trim())
            .Distinct()
            .ToList();
        var torch = loaded.FirstOrDefault(path => Path.GetFileName(path) == "libtorch_cpu.so");
        var openMp = loaded
            .Where(path => Path.GetFileName(path).StartsWith("libgomp", StringComparison.Ordinal))
            .OrderByDescending(path => torch is not null && Path.GetDirectoryName(path) == Path.GetDirectoryName(torch))
            .FirstOrDefault();
        return openMp is not null
            && NativeLibrary.TryLoad(openMp, out var library)
            && NativeLibrary.TryGetExport(library, "omp_set_num_threads", out var function)
            ? Marshal.GetDelegateForFunctionPointer<SetNumThreads>(function)
            : null;
    }

    /// <summary>Gives the thread its OpenMP count back.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly SetNumThreads? _set;
        private readonly int _previous;

        internal Scope(SetNumThreads set, int previous) => (_set, _previous) = (set, previous);

        /// <inheritdoc />
        public void Dispose() => _set?.Invoke(_previous);
    }
}
