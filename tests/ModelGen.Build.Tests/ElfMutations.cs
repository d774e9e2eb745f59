using System.Text;
using ModelGen.Build.Elf;
using ModelGen.Build.LibTorchSharp;

namespace ModelGen.Build.Tests;

/// <summary>Small, targeted edits of real ELF bytes, to build the cases the machine does not have.</summary>
internal static class ElfMutations
{
    /// <summary>
    /// Binds one more symbol of the real library, one that relocations use, to GLIBCXX_3.4.32: the
    /// library then really needs that version, and marking it weak would be unsafe.
    /// </summary>
    public static (byte[] Bytes, string Symbol) BindSecondSymbolToGlibcxx3432(byte[] library)
    {
        var image = ElfImage.Parse(library);
        var info = ElfVersionInfo.Read(image);
        var need = info.FindNeed(GlibcxxMarkerPatch.LibStdCxx, GlibcxxMarkerPatch.Version)!;
        var otherLibStdCxxIndexes = info.Needs
            .Where(n => n.File == GlibcxxMarkerPatch.LibStdCxx && n.Name != GlibcxxMarkerPatch.Version)
            .Select(n => n.Index)
            .ToHashSet();
        var victim = info.Symbols.First(s =>
            s.IsUndefined && otherLibStdCxxIndexes.Contains(s.VersionIndex) && info.RelocatedSymbols.Contains(s.Index));

        var versym = image.FindSection(ElfSectionType.GnuVersionSymbols)!;
        var bytes = (byte[])library.Clone();
        var at = versym.Offset + (2L * victim.Index);
        bytes[at] = (byte)need.Index;
        bytes[at + 1] = (byte)(need.Index >> 8);
        return (bytes, victim.Name);
    }

    /// <summary>Renames one version string of a library (same length), e.g. to add or remove GLIBCXX_3.4.32.</summary>
    public static byte[] RenameVersion(byte[] library, string from, string to)
    {
        if (from.Length != to.Length)
        {
            throw new ArgumentException("versions must have the same length to be renamed in place");
        }

        var needle = Encoding.ASCII.GetBytes("\0" + from + "\0");
        var at = library.AsSpan().IndexOf(needle);
        if (at < 0)
        {
            throw new InvalidOperationException($"{from} is not in the library's strings");
        }

        var bytes = (byte[])library.Clone();
        Encoding.ASCII.GetBytes(to).CopyTo(bytes, at + 1);
        return bytes;
    }

    /// <summary>The system libstdc++, edited if need be so that it lacks GLIBCXX_3.4.32 (as on Debian 12).</summary>
    public static byte[] LibStdCxxWithout3432()
    {
        var system = File.ReadAllBytes(SystemLibStdCxx.Locate()!);
        return GlibcxxMarkerPatch.Defines(system, GlibcxxMarkerPatch.Version)
            ? RenameVersion(system, GlibcxxMarkerPatch.Version, "GLIBCXX_3.4.99")
            : system;
    }

    /// <summary>The system libstdc++, edited if need be so that it provides GLIBCXX_3.4.32 (as with GCC 13).</summary>
    public static byte[] LibStdCxxWith3432()
    {
        var system = File.ReadAllBytes(SystemLibStdCxx.Locate()!);
        return GlibcxxMarkerPatch.Defines(system, GlibcxxMarkerPatch.Version)
            ? system
            : RenameVersion(system, "GLIBCXX_3.4.30", GlibcxxMarkerPatch.Version);
    }
}
