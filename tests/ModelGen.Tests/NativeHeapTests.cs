using System.Globalization;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests;

/// <summary>
/// NativeHeap on Linux/glibc, in a child process each, on resnet18's first convolution for 32 images of
/// 128x128 (a 32 MiB output): tuned, the memory of one batch is reused by the next (hardly any page
/// faults once warm) and Release gives it back; left alone, every batch faults its 8,192+ pages in again.
/// Only <see cref="ModelGenProcess.Tune"/> tunes it: creating and training a model leaves it alone.
/// </summary>
public sealed class NativeHeapTests
{
    private const int Pages = 32 * 1024 / 4;

    private static readonly Dictionary<string, string?> Clean = new()
    {
        ["GLIBC_TUNABLES"] = null,
        ["MALLOC_ARENA_MAX"] = null,
        ["MALLOC_MMAP_THRESHOLD_"] = null,
        ["MALLOC_TRIM_THRESHOLD_"] = null,
        ["MODELGEN_NATIVE_HEAP"] = null,
    };

    [Fact]
    public void Tuned_ReusesLargeBlocks_AndReleaseGivesThemBack()
    {
        var (tuned, because, faults, released) = Heap(Clean);

        Assert.True(tuned, "not tuned: " + because);
        Assert.True(Median(faults.Skip(2)) < Pages / 10, $"a warm convolution still faults pages in: {string.Join(", ", faults)} per round");
        Assert.True(released > 30_000, $"Release gave back {released} kB, expected at least the 32 MiB output");
    }

    [Fact]
    public void MODELGEN_NATIVE_HEAP_default_LeavesTheAllocatorAlone()
    {
        var (tuned, because, faults, _) = Heap(new Dictionary<string, string?>(Clean) { ["MODELGEN_NATIVE_HEAP"] = "default" });

        Assert.False(tuned);
        Assert.Equal("MODELGEN_NATIVE_HEAP=default", because);

        // glibc's own behaviour: blocks above 32 MiB are mapped afresh every time (with 4 kB pages unless
        // transparent huge pages are always on).
        if (!File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[always]", StringComparison.Ordinal))
        {
            Assert.True(Median(faults.Skip(2)) > Pages, $"a convolution with fresh memory should fault its 32 MiB output in: {string.Join(", ", faults)} per round");
        }
    }

    [Fact]
    public void AUsersGlibcMallocSettings_AreKept()
    {
        var (tuned, because, _, _) = Heap(new Dictionary<string, string?>(Clean) { ["GLIBC_TUNABLES"] = "glibc.malloc.arena_max=4" });

        Assert.False(tuned);
        Assert.Equal("GLIBC_TUNABLES sets glibc.malloc options", because);
    }

    [Fact]
    public void CreatingAndTrainingAModel_LeavesTheAllocatorAlone_TheExplicitCallTunesIt()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Train, perClass: 2, temp["images"]);

        var lines = TestHostProcess.RunWith(Clean, "heap-model", images, temp["out"]).Split('\n');
        var afterModel = lines.Single(l => l.StartsWith("after-model ", StringComparison.Ordinal)).Trim().Split(' ');
        var afterTune = lines.Single(l => l.StartsWith("after-tune ", StringComparison.Ordinal)).Trim().Split(' ');

        // after-model tuned False faults 16610,8300,8290,...
        Assert.Equal("False", afterModel[2]);
        Assert.Equal(["True", "True"], afterTune[2..4]);
        var untuned = Faults(afterModel);
        var tuned = Faults(afterTune);
        Assert.True(Median(tuned.Skip(2)) < Pages / 10, $"tuned, a warm convolution still faults pages in: {string.Join(", ", tuned)} per round");

        // glibc's own behaviour is still there after the model: fresh memory for every large block
        // (with 4 kB pages unless transparent huge pages are always on).
        if (!File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[always]", StringComparison.Ordinal))
        {
            Assert.True(Median(untuned.Skip(2)) > Pages, $"after creating and training a model, the allocator was already tuned: {string.Join(", ", untuned)} faults per round");
        }

        static long[] Faults(string[] words) =>
            words[Array.IndexOf(words, "faults") + 1].Split(',').Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    }

    private static long Median(IEnumerable<long> values) => values.Order().ElementAt(values.Count() / 2);

    private static (bool Tuned, string Because, long[] Faults, long ReleasedKilobytes) Heap(IReadOnlyDictionary<string, string?> environment)
    {
        var line = TestHostProcess.RunWith(environment, "heap").Split('\n').Single(l => l.StartsWith("tuned ", StringComparison.Ordinal)).Trim();

        // tuned True because - faults 16610,12,4091,4,3,2 released-kb 86000
        var because = line[(line.IndexOf(" because ", StringComparison.Ordinal) + 9)..line.IndexOf(" faults ", StringComparison.Ordinal)];
        var words = line.Split(' ');
        var faults = words[Array.IndexOf(words, "faults") + 1].Split(',').Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var released = long.Parse(words[Array.IndexOf(words, "released-kb") + 1], CultureInfo.InvariantCulture);
        return (words[1] == "True", because, faults, released);
    }
}
