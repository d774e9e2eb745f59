using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Build.Elf;

/// <summary>
/// The symbol-versioning facts of an ELF file: which versions it requires, which it defines, the
/// dynamic symbols with their versions, and which dynamic symbols relocations refer to.
/// </summary>
public sealed class ElfVersionInfo
{
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    private const int VerdefSize = 20;
    private const int SymbolSize = 24;
    private const ushort HiddenBit = 0x8000;

    private ElfVersionInfo(
        IReadOnlyList<VersionNeed> needs,
        IReadOnlyList<string> definitions,
        IReadOnlyList<DynamicSymbol> symbols,
        IReadOnlyCollection<int> relocatedSymbols)
    {
        Needs = needs;
        Definitions = definitions;
        Symbols = symbols;
        RelocatedSymbols = relocatedSymbols;
    }

    /// <summary>Versions required from dependencies (<c>.gnu.version_r</c>).</summary>
    public IReadOnlyList<VersionNeed> Needs { get; }

    /// <summary>Version names this file defines (<c>.gnu.version_d</c>), e.g. <c>GLIBCXX_3.4.30</c>.</summary>
    public IReadOnlyList<string> Definitions { get; }

    /// <summary>The dynamic symbols.</summary>
    public IReadOnlyList<DynamicSymbol> Symbols { get; }

    /// <summary>The indexes of dynamic symbols that at least one relocation refers to.</summary>
    public IReadOnlyCollection<int> RelocatedSymbols { get; }

    /// <summary>Reads the version sections, the dynamic symbols and the relocations of an image.</summary>
    /// <exception cref="ElfFormatException">A table is malformed.</exception>
    public static ElfVersionInfo Read(ElfImage image)
    {
        var dynsym = image.FindSection(ElfSectionType.DynamicSymbols);
        var symbols = dynsym is null ? new List<DynamicSymbol>() : ReadSymbols(image, dynsym);
        return new ElfVersionInfo(
            ReadNeeds(image),
            ReadDefinitions(image),
            symbols,
            dynsym is null ? new HashSet<int>() : ReadRelocatedSymbols(image, dynsym));
    }

    /// <summary>The requirement of <paramref name="version"/> from <paramref name="file"/>, or null.</summary>
    public VersionNeed? FindNeed(string file, string version) =>
        Needs.FirstOrDefault(n => n.File == file && n.Name == version);

    /// <summary>The dynamic symbols bound to a version index.</summary>
    public IReadOnlyList<DynamicSymbol> SymbolsWithVersion(ushort versionIndex) =>
        Symbols.Where(s => s.VersionIndex == versionIndex).ToList();

    private static List<VersionNeed> ReadNeeds(ElfImage image)
    {
        var needs = new List<VersionNeed>();
        var section = image.FindSection(ElfSectionType.GnuVersionNeeds);
        if (section is null)
        {
            return needs;
        }

        image.CheckRange(section.Offset, section.Size, ".gnu.version_r");
        var strings = image.LinkedSection(section);
        var entry = section.Offset;
        for (var i = 0u; i < section.Info; i++)
        {
            CheckInside(section, entry, VerneedSize, "Verneed entry");
            var count = image.ReadUInt16(entry + 2);
            var file = image.ReadString(strings, image.ReadUInt32(entry + 4));
            var aux = entry + image.ReadUInt32(entry + 8);
            for (var j = 0; j < count; j++)
            {
                CheckInside(section, aux, VernauxSize, "Vernaux entry");
                needs.Add(new VersionNeed(
                    File: file,
                    Name: image.ReadString(strings, image.ReadUInt32(aux + 8)),
                    Flags: image.ReadUInt16(aux + 4),
                    Index: image.ReadUInt16(aux + 6),
                    FlagsOffset: aux + 4));
                var nextAux = image.ReadUInt32(aux + 12);
                if (nextAux == 0)
                {
                    break;
                }

                aux += nextAux;
            }

            var next = image.ReadUInt32(entry + 12);
            if (next == 0)
            {
                break;
            }

            entry += next;
        }

        return needs;
    }

    private static List<string> ReadDefinitions(ElfImage image)
    {
        var names = new List<string>();
        var section = image.FindSection(ElfSectionType.GnuVersionDefinitions);
        if (section is null)
        {
            return names;
        }

        image.CheckRange(section.Offset, section.Size, ".gnu.version_d");
        var strings = image.LinkedSection(section);
        var entry = section.Offset;
        for (var i = 0u; i < section.Info; i++)
        {
            CheckInside(section, entry, VerdefSize, "Verdef entry");

            // The first Verdaux names the version itself; later ones name its parents.
            var aux = entry + image.ReadUInt32(entry + 12);
            CheckInside(section, aux, 8, "Verdaux entry");
            names.Add(image.ReadString(strings, image.ReadUInt32(aux)));
            var next = image.ReadUInt32(entry + 16);
            if (next == 0)
            {
                break;
            }

            entry += next;
        }

        return names;
    }

    private static List<DynamicSymbol> ReadSymbols(ElfImage image, ElfSection dynsym)
    {
        image.CheckRange(dynsym.Offset, dynsym.Size, ".dynsym");
        var strings = image.LinkedSection(dynsym);
        var versions = image.FindSection(ElfSectionType.GnuVersionSymbols);
        var count = dynsym.Size / SymbolSize;
        if (versions is not null)
        {
            image.CheckRange(versions.Offset, versions.Size, ".gnu.version");
            if (versions.Size < count * 2)
            {
                throw new ElfFormatException($".gnu.version holds {versions.Size / 2} entries for {count} dynamic symbols");
            }
        }

        var symbols = new List<DynamicSymbol>((int)count);
        for (var i = 0; i < count; i++)
        {
            var at = dynsym.Offset + ((long)i * SymbolSize);
            var version = versions is null ? (ushort)1 : (ushort)(image.ReadUInt16(versions.Offset + (2L * i)) & ~HiddenBit);
            symbols.Add(new DynamicSymbol(
                Index: i,
                Name: image.ReadString(strings, image.ReadUInt32(at)),
                IsUndefined: image.ReadUInt16(at + 6) == 0,
                VersionIndex: version));
        }

        return symbols;
    }

    private static HashSet<int> ReadRelocatedSymbols(ElfImage image, ElfSection dynsym)
    {
        var relocated = new HashSet<int>();
        foreach (var section in image.Sections)
        {
            if ((section.Type != ElfSectionType.Rela && section.Type != ElfSectionType.Rel) || section.Link != dynsym.Index)
            {
                continue;
            }

            image.CheckRange(section.Offset, section.Size, "relocation section");
            var entrySize = section.Type == ElfSectionType.Rela ? 24 : 16;
            for (var at = section.Offset; at + entrySize <= section.Offset + section.Size; at += entrySize)
            {
                // ELF64_R_SYM(r_info) is the upper 32 bits; 0 means "no symbol".
                var symbol = (int)(image.ReadUInt64(at + 8) >> 32);
                if (symbol != 0)
                {
                    relocated.Add(symbol);
                }
            }
        }

        return relocated;
    }

    private static void CheckInside(ElfSection section, long at, int length, string what)
    {
        if (at < section.Offset || at + length > section.Offset + section.Size)
        {
            throw new ElfFormatException($"{what} at offset {at} lies outside its section (offset {section.Offset}, size {section.Size})");
        }
    }
}
