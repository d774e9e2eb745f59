using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ModelGen.Storage;

/// <summary>
/// The one container ModelGen keeps its own files in (saved models, feature cache entries, checkpoints,
/// best weights): what the file is, a JSON header, binary sections, and a SHA-256 of all of it.
/// </summary>
/// <remarks>
/// The layout, integers little-endian:
/// <code>
/// "MGFILE01"   8 bytes       the container
/// kind         4 bytes       ASCII, the <see cref="FileFormat.Kind"/> (MODL, FEAT, CKPT, BEST)
/// version      int32         the kind's <see cref="FileFormat.Version"/>
/// sections     ...           the JSON header (tag HEAD), then each binary section, back to back
/// table        12 bytes × n  per section: its tag (4 ASCII bytes) and its length (int64)
/// n            int32         the number of sections, 1 to 16
/// SHA-256      32 bytes      of every byte before it
/// </code>
/// The table is at the end so that a writer streams each section to the file, hashing on the way, without
/// knowing its length first. A reader checks the container, the kind and the version, then that the
/// table's lengths add up to the file's size, and hashes the file in one streaming pass, all before it
/// allocates anything the file declares: a file that passes is handed to its format, any other gives a
/// <see cref="ChecksummedFileException"/> that says what is wrong.
/// </remarks>
internal static class ChecksummedFile
{
    /// <summary>The tag of the JSON header, the first section of every file.</summary>
    public const string HeaderTag = "HEAD";

    /// <summary>The most sections a file may have.</summary>
    public const int MaxSections = 16;

    /// <summary>The longest JSON header a reader accepts.</summary>
    public const int MaxHeaderLength = 16 << 20;

    internal const int PrefixLength = 16;
    internal const int TableEntryLength = 12;
    internal const int HashLength = 32;

    /// <summary>The bytes after the sections besides the table: its count and the SHA-256.</summary>
    internal const int TrailerLength = 4 + HashLength;

    /// <summary>Every file starts with these eight bytes (the "01" is the container's layout, not a format's version).</summary>
    internal static ReadOnlySpan<byte> Magic => "MGFILE01"u8;

    /// <summary>Writes a file of <paramref name="format"/> atomically: <paramref name="header"/> as JSON, then <paramref name="sections"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Its kind and version.</param>
    /// <param name="header">What the file says about its sections; serialized with <paramref name="json"/>.</param>
    /// <param name="json">The serializer options the format reads the header with too.</param>
    /// <param name="sections">The binary sections, in order.</param>
    /// <param name="durable">Flush to disk before the rename (see <see cref="AtomicFile.Write"/>).</param>
    public static void Write<THeader>(string path, FileFormat format, THeader header, JsonSerializerOptions json, IReadOnlyList<FileSection> sections, bool durable = true)
    {
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header, json);
        List<FileSection> all = [new FileSection(HeaderTag, stream => stream.Write(headerBytes)), .. sections];
        CheckTags(format, all);

        AtomicFile.Write(path, stream =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var hashing = new HashingWriteStream(stream, sha);
            Span<byte> number = stackalloc byte[8];
            hashing.Write(Magic);
            hashing.Write(Encoding.ASCII.GetBytes(format.Kind));
            BinaryPrimitives.WriteInt32LittleEndian(number, format.Version);
            hashing.Write(number[..4]);

            var table = new byte[(all.Count * TableEntryLength) + 4];
            for (var i = 0; i < all.Count; i++)
            {
                var start = hashing.Written;
                all[i].Write(hashing);
                var entry = table.AsSpan(i * TableEntryLength, TableEntryLength);
                Encoding.ASCII.GetBytes(all[i].Tag, entry[..4]);
                BinaryPrimitives.WriteInt64LittleEndian(entry[4..], hashing.Written - start);
            }

            BinaryPrimitives.WriteInt32LittleEndian(table.AsSpan(^4), all.Count);
            hashing.Write(table);
            stream.Write(sha.GetHashAndReset());
        },
        durable);
    }

    /// <summary>
    /// Serializer options for headers: <paramref name="options"/> (or the defaults) that also refuse a missing
    /// value, or a null where the header's type has none, so that a format never sees a half-filled header.
    /// </summary>
    public static JsonSerializerOptions StrictJson(JsonSerializerOptions? options = null) =>
        new(options ?? JsonSerializerOptions.Default) { RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true };

    /// <summary>Opens a file of <paramref name="format"/>, checking its layout and its checksum before anything is read from it.</summary>
    /// <exception cref="ChecksummedFileException">The file cannot be read, is not of this format, or is damaged.</exception>
    public static ChecksummedFileReader Open(string path, FileFormat format) => ChecksummedFileReader.Open(path, format);

    /// <summary>Whether <paramref name="tag"/> is four ASCII letters or digits.</summary>
    internal static bool IsTag(ReadOnlySpan<char> tag)
    {
        if (tag.Length != 4)
        {
            return false;
        }

        foreach (var c in tag)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckTags(FileFormat format, List<FileSection> sections)
    {
        if (!IsTag(format.Kind))
        {
            throw new ArgumentException($"The file kind \"{format.Kind}\" is not four ASCII letters or digits.", nameof(format));
        }

        if (sections.Count > MaxSections)
        {
            throw new ArgumentException($"A file holds at most {MaxSections} sections, not {sections.Count}.", nameof(sections));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            if (!IsTag(section.Tag) || !seen.Add(section.Tag))
            {
                throw new ArgumentException($"The section tag \"{section.Tag}\" is not four ASCII letters or digits, or is used twice (HEAD is the header's).", nameof(sections));
            }
        }
    }
}
