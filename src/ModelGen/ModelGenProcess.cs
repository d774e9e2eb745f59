namespace ModelGen;

/// <summary>
/// Process-wide settings that make ModelGen's work faster, applied only when the application asks: call
/// <see cref="Tune"/> once at startup, before the first model. Creating a model, reading images or
/// training never changes anything process-wide by itself.
/// </summary>
public static class ModelGenProcess
{
    /// <summary>
    /// Tunes the process for ModelGen's workloads and returns whether anything was tuned; calling it again
    /// does nothing. Today this is glibc's allocator, which LibTorch uses for every CPU tensor (Linux with
    /// glibc only).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Why: by default glibc maps every block above 32 MiB afresh and returns it on free, so a network's
    /// large activations are faulted in page by page on every batch. On 2 cores that made resnet18's first
    /// convolution 4x slower and the network about 20% slower. Tuned, freed memory below 1 GiB is kept and
    /// reused, up to 256 MiB of free memory stays at the top of the heap, and one arena serves the process;
    /// ModelGen gives the free memory back at the end of each pass over the images and each epoch.
    /// <see cref="NativeHeap"/> has the measurements and the details.
    /// </para>
    /// <para>
    /// It changes how every native allocation of the process behaves, which is why it is a call and not a
    /// side effect. It leaves the allocator alone, and returns false, when the process chose its own settings
    /// (<c>GLIBC_TUNABLES</c> with <c>glibc.malloc.*</c>, <c>MALLOC_ARENA_MAX</c>,
    /// <c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>), with <c>MODELGEN_NATIVE_HEAP=default</c>
    /// or the <c>ModelGen.NativeHeap.KeepDefaults</c> AppContext switch, and on other platforms;
    /// <see cref="NativeHeap.KeptDefaultsBecause"/> says why.
    /// </para>
    /// <para>
    /// It also makes sure LibTorch's convolutions cannot run on the oneDNN kernel that computes wrong results on
    /// AVX-512 CPUs (see <c>ONEDNN_MAX_CPU_ISA</c> in the README's platform notes); ModelGen does that by itself
    /// when it creates a backbone, but only this call comes before convolutions the application runs itself.
    /// </para>
    /// </remarks>
    public static bool Tune()
    {
        OneDnnIsa.Ensure();
        return NativeHeap.EnsureTuned();
    }
}
