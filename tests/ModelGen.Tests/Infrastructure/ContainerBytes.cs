using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Reads and forges the bytes of a checksummed container file the way an attacker would: edit, then
/// recompute the SHA-256 so that only the reader's other checks stand between the edit and the data.
/// </summary>
internal static class ContainerBytes
{
    private const int HashLength = 32;

    /// <summary>One entry of the section table: where its length field is, and where its bytes are.</summary>
    public sealed record Section(string Tag, int LengthField, long Start, long Length);

    /// <summary>The section table of a well-formed file.</summary>
    public static IReadOnlyList<Section> Sections(byte[] file)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(CountOffset(file)));
        var table = CountOffset(file) - (count * 12);
        var sections = new List<Section>();
        var start = 16L;
        for (var i = 0; i < count; i++)
        {
            var entry = table + (i * 12);
            var length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(entry + 4));
            sections.Add(new Section(Encoding.ASCII.GetString(file, entry, 4), entry + 4, start, length));
            start += length;
        }

        return sections;
    }

    /// <summary>The offset of the section count.</summary>
    public static int CountOffset(byte[] file) => file.Length - HashLength - 4;

    /// <summary>A copy of <paramref name="file"/> edited by <paramref name="edit"/>, with the checksum made to match again.</summary>
    public static byte[] Forge(byte[] file, Action<byte[]> edit)
    {
        var copy = file.ToArray();
        edit(copy);
        return Rehash(copy);
    }

    /// <summary><paramref name="file"/> with its last 32 bytes replaced by the SHA-256 of the rest.</summary>
    public static byte[] Rehash(byte[] file)
    {
        SHA256.HashData(file.AsSpan(0, file.Length - HashLength), file.AsSpan(file.Length - HashLength));
        return file;
    }

    /// <summary>Replaces section <paramref name="tag"/>'s bytes with <paramref name="content"/>, fixing the table and the checksum.</summary>
    public static byte[] ReplaceSection(byte[] file, string tag, byte[] content)
    {
        var section = Sections(file).Single(s => s.Tag == tag);
        var result = new List<byte>(file.Length + content.Length);
        result.AddRange(file.AsSpan(0, (int)section.Start));
        result.AddRange(content);
        result.AddRange(file.AsSpan((int)(section.Start + section.Length)));
        var bytes = result.ToArray();
        var shift = content.Length - (int)section.Length;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(section.LengthField + shift), content.Length);
        return Rehash(bytes);
    }

    /// <summary>Writes a file whose first eight bytes are <paramref name="magic"/>, followed by <paramref name="rest"/>.</summary>
    public static byte[] StartingWith(string magic, int rest) => [.. Encoding.ASCII.GetBytes(magic), .. new byte[rest]];
}
