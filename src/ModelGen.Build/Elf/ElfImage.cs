using System;
using System.Collections.Generic;
using System.Text;

namespace ModelGen.Build.Elf;

/// <summary>
/// A read-only view of a 64-bit little-endian ELF file (x86-64, AArch64) held in memory. Every read is
/// bounds-checked, so a truncated or hostile file gives an <see cref="ElfFormatException"/>, never a crash.
/// </summary>
public sealed class ElfImage
{
    private const int SectionHeaderSize = 64;

    private ElfImage(byte[] bytes, IReadOnlyList<ElfSection> sections)
    {
        Bytes = bytes;
        Sections = sections;
    }

    /// <summary>The whole file.</summary>
    public byte[] Bytes { get; }

    /// <summary>The section header table.</summary>
    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>Parses the ELF header and the section header table.</summary>
    /// <exception cref="ElfFormatException">The bytes are not an ELF64 little-endian file with section headers.</exception>
    public static ElfImage Parse(byte[] bytes)
    {
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            throw new ElfFormatException("not an ELF file (the first four bytes are not 0x7F 'E' 'L' 'F')");
        }

        if (bytes[4] != 2 || bytes[5] != 1)
        {
            throw new ElfFormatException($"only 64-bit little-endian ELF files are supported (class {bytes[4]}, data {bytes[5]})");
        }

        var image = new ElfImage(bytes, Array.Empty<ElfSection>());
        var tableOffset = image.ReadOffset(0x28);
        var entrySize = image.ReadUInt16(0x3A);
        var count = image.ReadUInt16(0x3C);
        if (count == 0 || tableOffset == 0)
        {
            throw new ElfFormatException("the file has no section header table");
        }

        if (entrySize != SectionHeaderSize)
        {
            throw new ElfFormatException($"section header entries are {entrySize} bytes; ELF64 uses {SectionHeaderSize}");
        }

        image.CheckRange(tableOffset, (long)count * entrySize, "section header table");
        var sections = new ElfSection[count];
        for (var i = 0; i < count; i++)
        {
            var at = tableOffset + ((long)i * entrySize);
            sections[i] = new ElfSection(
                Index: i,
                Type: image.ReadUInt32(at + 4),
                Offset: image.ReadOffset(at + 24),
                Size: image.ReadOffset(at + 32),
                Link: (int)image.ReadUInt32(at + 40),
                Info: image.ReadUInt32(at + 44),
                EntrySize: image.ReadOffset(at + 56));
        }

        return new ElfImage(bytes, sections);
    }

    /// <summary>The first section of the given type, or null.</summary>
    public ElfSection? FindSection(uint type)
    {
        foreach (var section in Sections)
        {
            if (section.Type == type)
            {
                return section;
            }
        }

        return null;
    }

    /// <summary>The section a <c>sh_link</c> points at.</summary>
    public ElfSection LinkedSection(ElfSection section)
    {
        if (section.Link <= 0 || section.Link >= Sections.Count)
        {
            throw new ElfFormatException($"section {section.Index} links to section {section.Link}, which does not exist");
        }

        return Sections[section.Link];
    }

    /// <summary>Reads a NUL-terminated string at <paramref name="offset"/> inside a string table section.</summary>
    public string ReadString(ElfSection stringTable, long offset)
    {
        if (offset < 0 || offset >= stringTable.Size)
        {
            throw new ElfFormatException($"string offset {offset} lies outside its string table (size {stringTable.Size})");
        }

        CheckRange(stringTable.Offset, stringTable.Size, "string table");

        var start = stringTable.Offset + offset;
        var end = start;
        var limit = stringTable.Offset + stringTable.Size;
        while (end < limit && Bytes[end] != 0)
        {
            end++;
        }

        if (end == limit)
        {
            throw new ElfFormatException($"string at offset {offset} is not terminated inside its string table");
        }

        return Encoding.ASCII.GetString(Bytes, (int)start, (int)(end - start));
    }

    /// <summary>Reads a little-endian 16-bit value.</summary>
    public ushort ReadUInt16(long at)
    {
        CheckRange(at, 2, "16-bit field");
        return (ushort)(Bytes[at] | (Bytes[at + 1] << 8));
    }

    /// <summary>Reads a little-endian 32-bit value.</summary>
    public uint ReadUInt32(long at)
    {
        CheckRange(at, 4, "32-bit field");
        return (uint)(Bytes[at] | (Bytes[at + 1] << 8) | (Bytes[at + 2] << 16) | (Bytes[at + 3] << 24));
    }

    /// <summary>Reads a little-endian 64-bit value.</summary>
    public ulong ReadUInt64(long at)
    {
        CheckRange(at, 8, "64-bit field");
        return ReadUInt32(at) | ((ulong)ReadUInt32(at + 4) << 32);
    }

    /// <summary>Checks that <paramref name="length"/> bytes from <paramref name="at"/> lie inside the file.</summary>
    public void CheckRange(long at, long length, string what)
    {
        if (at < 0 || length < 0 || at > Bytes.Length || length > Bytes.Length - at)
        {
            throw new ElfFormatException($"{what} at offset {at} (+{length} bytes) lies outside the file ({Bytes.Length} bytes)");
        }
    }

    private long ReadOffset(long at)
    {
        // Sizes of sections that occupy no file space (.bss) may exceed the file; ranges are checked
        // when a section's bytes are read, so here only values that do not fit a long are refused.
        var value = ReadUInt64(at);
        if (value > long.MaxValue)
        {
            throw new ElfFormatException($"offset or size {value} read at {at} is out of range");
        }

        return (long)value;
    }
}
