using System;
using System.Linq;
using ModelGen.Build.Elf;

namespace ModelGen.Build.LibTorchSharp;

/// <summary>
/// The Debian 12 fix for TorchSharp's <c>libLibTorchSharp.so</c>: it is linked by GCC 13, whose
/// <c>&lt;iostream&gt;</c> references <c>std::ios_base_library_init()</c> at version <c>GLIBCXX_3.4.32</c>
/// only as a link-time marker (no relocation uses it). Older libstdc++ (GCC 12: up to 3.4.30) lacks
/// that version, so the loader refuses the library. Marking that one requirement <c>VER_FLG_WEAK</c>
/// makes the loader accept it; nothing else changes. The fix is applied only when it is provably safe.
/// </summary>
public static class GlibcxxMarkerPatch
{
    /// <summary>The dependency the requirement is on.</summary>
    public const string LibStdCxx = "libstdc++.so.6";

    /// <summary>The version GCC 13 binaries require.</summary>
    public const string Version = "GLIBCXX_3.4.32";

    /// <summary>The only symbol that may be bound to <see cref="Version"/>: a marker, never called.</summary>
    public const string MarkerSymbol = "_ZSt21ios_base_library_initv";

    /// <summary>Decides whether the library's <see cref="Version"/> requirement can and should be made weak.</summary>
    /// <param name="library">The bytes of the library to fix.</param>
    /// <param name="systemLibStdCxx">The bytes of the system's libstdc++, or null when none was found.</param>
    public static PatchDecision Decide(byte[] library, byte[]? systemLibStdCxx)
    {
        ElfVersionInfo info;
        try
        {
            info = ElfVersionInfo.Read(ElfImage.Parse(library));
        }
        catch (ElfFormatException e)
        {
            return new PatchDecision(PatchOutcome.Refused, $"the library could not be read as ELF: {e.Message}");
        }

        var need = info.FindNeed(LibStdCxx, Version);
        if (need is null)
        {
            return new PatchDecision(PatchOutcome.NotNeeded, $"it does not require {Version}");
        }

        if (need.IsWeak)
        {
            return new PatchDecision(PatchOutcome.AlreadyPatched, $"its {Version} requirement is already weak");
        }

        if (systemLibStdCxx is null)
        {
            return new PatchDecision(PatchOutcome.Refused, $"the system {LibStdCxx} was not found, so it cannot be checked for {Version}");
        }

        if (Defines(systemLibStdCxx, Version))
        {
            return new PatchDecision(PatchOutcome.NotNeeded, $"the system libstdc++ provides {Version}");
        }

        var bound = info.SymbolsWithVersion(need.Index);
        var others = bound.Where(s => s.Name != MarkerSymbol).Select(s => s.Name).ToList();
        if (others.Count > 0)
        {
            return new PatchDecision(
                PatchOutcome.Refused,
                $"{Version} is needed by {string.Join(", ", others.Take(5))}{(others.Count > 5 ? $" and {others.Count - 5} more" : "")}"
                + $", not only by the {MarkerSymbol} marker; install libstdc++ from GCC 13 or newer instead");
        }

        var marker = bound.FirstOrDefault();
        if (marker is null)
        {
            return new PatchDecision(PatchOutcome.Refused, $"no symbol is bound to {Version}, which is not the known GCC 13 layout");
        }

        if (!marker.IsUndefined || info.RelocatedSymbols.Contains(marker.Index))
        {
            return new PatchDecision(
                PatchOutcome.Refused,
                $"{MarkerSymbol} is {(marker.IsUndefined ? "used by a relocation" : "defined in the library")}, so it is not a pure link-time marker");
        }

        return new PatchDecision(
            PatchOutcome.Patched,
            $"the system libstdc++ lacks {Version} and its only user, {MarkerSymbol}, is a link-time marker with no relocation",
            need.FlagsOffset);
    }

    /// <summary>Returns a copy of <paramref name="library"/> with the requirement at <paramref name="flagsOffset"/> made weak.</summary>
    public static byte[] Apply(byte[] library, long flagsOffset)
    {
        if (flagsOffset < 0 || flagsOffset + 2 > library.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(flagsOffset), flagsOffset, "the vna_flags offset lies outside the library");
        }

        var patched = (byte[])library.Clone();
        var flags = (ushort)(patched[flagsOffset] | (patched[flagsOffset + 1] << 8) | VersionNeed.WeakFlag);
        patched[flagsOffset] = (byte)flags;
        patched[flagsOffset + 1] = (byte)(flags >> 8);
        return patched;
    }

    /// <summary>Whether a library (the system libstdc++) defines a symbol version.</summary>
    public static bool Defines(byte[] library, string version)
    {
        try
        {
            return ElfVersionInfo.Read(ElfImage.Parse(library)).Definitions.Contains(version);
        }
        catch (ElfFormatException)
        {
            return false;
        }
    }
}
