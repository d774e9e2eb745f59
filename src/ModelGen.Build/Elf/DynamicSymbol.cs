namespace ModelGen.Build.Elf;

/// <summary>One entry of the dynamic symbol table with its version index.</summary>
/// <param name="Index">The symbol's index in <c>.dynsym</c>, as relocations refer to it.</param>
/// <param name="Name">The (mangled) symbol name.</param>
/// <param name="IsUndefined">True when the symbol is imported (<c>st_shndx</c> is <c>SHN_UNDEF</c>).</param>
/// <param name="VersionIndex">The index from <c>.gnu.version</c>, without the hidden bit.</param>
public sealed record DynamicSymbol(int Index, string Name, bool IsUndefined, ushort VersionIndex);
