namespace ModelGen.Build.Elf;

/// <summary>One entry of the section header table, with only the fields the version tools need.</summary>
/// <param name="Index">The section's index in the header table.</param>
/// <param name="Type">The <c>sh_type</c> value (see <see cref="ElfSectionType"/>).</param>
/// <param name="Offset">Where the section's bytes start in the file.</param>
/// <param name="Size">How many bytes the section holds.</param>
/// <param name="Link">The <c>sh_link</c> value: for the sections read here, the index of an associated section.</param>
/// <param name="Info">The <c>sh_info</c> value: for version sections, the number of entries.</param>
/// <param name="EntrySize">The <c>sh_entsize</c> value, for sections that hold a table.</param>
public sealed record ElfSection(int Index, uint Type, long Offset, long Size, int Link, uint Info, long EntrySize);

/// <summary>The section types ModelGen reads (from the System V gABI and the GNU extensions).</summary>
public static class ElfSectionType
{
    /// <summary>Relocations with explicit addends.</summary>
    public const uint Rela = 4;

    /// <summary>Relocations without addends.</summary>
    public const uint Rel = 9;

    /// <summary>The dynamic symbol table.</summary>
    public const uint DynamicSymbols = 11;

    /// <summary>Version definitions (<c>.gnu.version_d</c>).</summary>
    public const uint GnuVersionDefinitions = 0x6ffffffd;

    /// <summary>Version requirements (<c>.gnu.version_r</c>).</summary>
    public const uint GnuVersionNeeds = 0x6ffffffe;

    /// <summary>The version index of each dynamic symbol (<c>.gnu.version</c>).</summary>
    public const uint GnuVersionSymbols = 0x6fffffff;
}
