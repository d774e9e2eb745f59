using ModelGen.Build.Elf;
using ModelGen.Build.LibTorchSharp;

namespace ModelGen.Build.Tests;

public sealed class GlibcxxMarkerPatchTests
{
    private static readonly byte[] Original = File.ReadAllBytes(RealLibraries.LibTorchSharp);

    [Fact]
    public void RealLibrary_RequiresGlibcxx3432_OnlyForTheUnrelocatedMarker()
    {
        var info = ElfVersionInfo.Read(ElfImage.Parse(Original));

        var need = info.FindNeed("libstdc++.so.6", "GLIBCXX_3.4.32");
        Assert.NotNull(need);
        Assert.False(need.IsWeak);
        var bound = Assert.Single(info.SymbolsWithVersion(need.Index));
        Assert.Equal("_ZSt21ios_base_library_initv", bound.Name);
        Assert.True(bound.IsUndefined);
        Assert.DoesNotContain(bound.Index, info.RelocatedSymbols);
        Assert.NotEmpty(info.RelocatedSymbols);
    }

    [Fact]
    public void SystemLibStdCxx_IsFoundAndReadable()
    {
        var path = SystemLibStdCxx.Locate();

        Assert.NotNull(path);
        var definitions = ElfVersionInfo.Read(ElfImage.Parse(File.ReadAllBytes(path))).Definitions;
        Assert.Contains("GLIBCXX_3.4", definitions);
    }

    [Fact]
    public void Decide_OnDebian12LibStdCxx_PatchesTheRealLibrary()
    {
        var decision = GlibcxxMarkerPatch.Decide(Original, ElfMutations.LibStdCxxWithout3432());

        Assert.Equal(PatchOutcome.Patched, decision.Outcome);
        Assert.Contains("link-time marker", decision.Reason);
    }

    [Fact]
    public void Apply_ChangesOnlyTheFlagsOfThatRequirement()
    {
        var decision = GlibcxxMarkerPatch.Decide(Original, ElfMutations.LibStdCxxWithout3432());

        var patched = GlibcxxMarkerPatch.Apply(Original, decision.FlagsOffset);

        var changed = Enumerable.Range(0, Original.Length).Where(i => Original[i] != patched[i]).ToList();
        Assert.Equal([(int)decision.FlagsOffset], changed);
        var before = ElfVersionInfo.Read(ElfImage.Parse(Original));
        var after = ElfVersionInfo.Read(ElfImage.Parse(patched));
        Assert.True(after.FindNeed("libstdc++.so.6", "GLIBCXX_3.4.32")!.IsWeak);
        Assert.Equal(
            before.Needs.Where(n => n.Name != "GLIBCXX_3.4.32"),
            after.Needs.Where(n => n.Name != "GLIBCXX_3.4.32"));
        Assert.All(after.Needs.Where(n => n.Name != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
        Assert.Equal(PatchOutcome.AlreadyPatched, GlibcxxMarkerPatch.Decide(patched, ElfMutations.LibStdCxxWithout3432()).Outcome);
    }

    [Fact]
    public void Decide_WhenTheSystemProvidesTheVersion_DoesNothing()
    {
        var decision = GlibcxxMarkerPatch.Decide(Original, ElfMutations.LibStdCxxWith3432());

        Assert.Equal(PatchOutcome.NotNeeded, decision.Outcome);
        Assert.Contains("system libstdc++ provides", decision.Reason);
    }

    [Fact]
    public void Decide_WhenASecondSymbolNeedsTheVersion_RefusesAndNamesIt()
    {
        var (library, symbol) = ElfMutations.BindSecondSymbolToGlibcxx3432(Original);

        var decision = GlibcxxMarkerPatch.Decide(library, ElfMutations.LibStdCxxWithout3432());

        Assert.Equal(PatchOutcome.Refused, decision.Outcome);
        Assert.Contains(symbol, decision.Reason);
    }

    [Fact]
    public void Decide_WithoutASystemLibStdCxx_Refuses()
    {
        Assert.Equal(PatchOutcome.Refused, GlibcxxMarkerPatch.Decide(Original, systemLibStdCxx: null).Outcome);
    }

    [Fact]
    public void Decide_OnALibraryThatDoesNotNeedTheVersion_DoesNothing()
    {
        var system = File.ReadAllBytes(SystemLibStdCxx.Locate()!);

        Assert.Equal(PatchOutcome.NotNeeded, GlibcxxMarkerPatch.Decide(system, ElfMutations.LibStdCxxWithout3432()).Outcome);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(1_200_000)]
    public void Decide_OnTruncatedOrEmptyFiles_RefusesWithoutThrowing(int length)
    {
        var bytes = Original.AsSpan(0, length).ToArray();

        var decision = GlibcxxMarkerPatch.Decide(bytes, ElfMutations.LibStdCxxWithout3432());

        Assert.Equal(PatchOutcome.Refused, decision.Outcome);
        Assert.Contains("could not be read as ELF", decision.Reason);
    }

    [Fact]
    public void Decide_OnRandomBytesWithAnElfHeader_NeverThrows()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var bytes = (byte[])Original.Clone();
            for (var j = 0; j < 64; j++)
            {
                // Corrupt the header and section table area, where offsets and counts live.
                var at = random.Next(0, 0x40) + (random.Next(2) == 0 ? 0 : (int)BitConverter.ToUInt64(Original, 0x28));
                bytes[Math.Min(at, bytes.Length - 1)] = (byte)random.Next(256);
            }

            var decision = GlibcxxMarkerPatch.Decide(bytes, ElfMutations.LibStdCxxWithout3432());

            Assert.True(Enum.IsDefined(decision.Outcome));
        }
    }
}
