namespace ModelGen.Build.Elf;

/// <summary>
/// One version a library requires from one of its dependencies (an <c>Elf64_Vernaux</c> entry of
/// <c>.gnu.version_r</c>), e.g. <c>GLIBCXX_3.4.32</c> from <c>libstdc++.so.6</c>.
/// </summary>
/// <param name="File">The dependency's soname.</param>
/// <param name="Name">The version name.</param>
/// <param name="Flags">The <c>vna_flags</c> value.</param>
/// <param name="Index">The <c>vna_other</c> value: the version index symbols refer to in <c>.gnu.version</c>.</param>
/// <param name="FlagsOffset">Where <c>vna_flags</c> lies in the file, so it can be patched.</param>
public sealed record VersionNeed(string File, string Name, ushort Flags, ushort Index, long FlagsOffset)
{
    /// <summary><c>VER_FLG_WEAK</c>: the loader only warns (with LD_DEBUG) when the version is missing.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>Whether the requirement is already weak.</summary>
    public bool IsWeak => (Flags & WeakFlag) != 0;
}
