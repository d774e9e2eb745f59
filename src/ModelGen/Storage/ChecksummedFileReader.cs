using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace ModelGen.Storage;

/// <summary>
/// An opened <see cref="ChecksummedFile"/> whose layout and checksum have been checked: its JSON header and
/// its sections, read from the file on demand (nothing is held in memory but the table).
/// </summary>
internal sealed class ChecksummedFileReader : IDisposable
{
    private const int HashBufferLength = 1 << 20;

    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, (long Start, long Length)> _sections;

    private ChecksummedFileReader(string path, SafeFileHandle file, Dictionary<string, (long Start, long Length)> sections, string[] tags)
    {
        Path = path;
        _file = file;
        _sections = sections;
        Tags = tags;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The tags of the file's sections in file order, the header's first.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Opens <paramref name="path"/>; see <see cref="ChecksummedFile.Open"/>.</summary>
    public static ChecksummedFileReader Open(string path, FileFormat format)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChecksummedFileException(path, FileProblem.Unreadable, $"it cannot be read ({e.Message})", e);
        }

        try
        {
            var (sections, tags) = Check(path, file, format);
            return new ChecksummedFileReader(path, file, sections, tags);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file.Dispose();
            throw new ChecksummedFileException(path, FileProblem.Unreadable, $"it cannot be read ({e.Message})", e);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The length of section <paramref name="tag"/>.</summary>
    /// <exception cref="ChecksummedFileException">The file has no such section.</exception>
    public long LengthOf(string tag) => Find(tag).Length;

    /// <summary>The JSON header, read with <paramref name="json"/>.</summary>
    /// <exception cref="ChecksummedFileException">The header is longer than <see cref="ChecksummedFile.MaxHeaderLength"/>, or is not a <typeparamref name="T"/>.</exception>
    public T Header<T>(JsonSerializerOptions json)
        where T : class
    {
        var length = LengthOf(ChecksummedFile.HeaderTag);
        if (length > ChecksummedFile.MaxHeaderLength)
        {
            throw Damaged(Path, string.Create(CultureInfo.InvariantCulture, $"it is damaged (its header is {length:N0} bytes, more than the {ChecksummedFile.MaxHeaderLength:N0} a header may have)"));
        }

        try
        {
            return JsonSerializer.Deserialize<T>(ReadSection(ChecksummedFile.HeaderTag), json)
                ?? throw Damaged(Path, "it is damaged (its header is empty)");
        }
        catch (JsonException e)
        {
            throw Damaged(Path, $"it is damaged (its header cannot be read: {e.Message})", e);
        }
    }

    /// <summary>Section <paramref name="tag"/> as a read-only stream (which leaves the file open when disposed).</summary>
    public Stream OpenSection(string tag)
    {
        var (start, length) = Find(tag);
        return new SectionStream(_file, start, length);
    }

    /// <summary>Section <paramref name="tag"/> as bytes.</summary>
    public byte[] ReadSection(string tag)
    {
        var (_, length) = Find(tag);
        if (length > Array.MaxLength)
        {
            throw Damaged(Path, string.Create(CultureInfo.InvariantCulture, $"it is damaged (its section {tag} is {length:N0} bytes, more than one array holds)"));
        }

        var bytes = new byte[length];
        ReadSection(tag, bytes);
        return bytes;
    }

    /// <summary>Reads section <paramref name="tag"/> into <paramref name="destination"/>, which must be exactly its length.</summary>
    public void ReadSection(string tag, Span<byte> destination)
    {
        var (start, length) = Find(tag);
        if (destination.Length != length)
        {
            throw Damaged(Path, string.Create(CultureInfo.InvariantCulture, $"it is damaged (its section {tag} is {length:N0} bytes, but its header describes {destination.Length:N0})"));
        }

        ReadExactly(_file, destination, start);
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private static (Dictionary<string, (long Start, long Length)> Sections, string[] Tags) Check(string path, SafeFileHandle file, FileFormat format)
    {
        var fileLength = RandomAccess.GetLength(file);
        Span<byte> prefix = stackalloc byte[ChecksummedFile.PrefixLength];
        var got = ReadAtMost(file, prefix, 0);
        CheckPrefix(path, format, prefix[..got], fileLength);

        // The table at the end: its count, then its entries, and they must add up to the bytes between.
        if (fileLength < ChecksummedFile.PrefixLength + ChecksummedFile.TableEntryLength + ChecksummedFile.TrailerLength)
        {
            throw Damaged(path, string.Create(CultureInfo.InvariantCulture, $"it is truncated ({fileLength:N0} bytes, too short for a {format.Name})"));
        }

        Span<byte> count = stackalloc byte[4];
        ReadExactly(file, count, fileLength - ChecksummedFile.TrailerLength);
        var sectionCount = BinaryPrimitives.ReadInt32LittleEndian(count);
        var tableStart = fileLength - ChecksummedFile.TrailerLength - ((long)sectionCount * ChecksummedFile.TableEntryLength);
        if (sectionCount is < 1 or > ChecksummedFile.MaxSections || tableStart < ChecksummedFile.PrefixLength)
        {
            throw Damaged(path, "it is truncated or damaged (its end does not hold a valid table of sections)");
        }

        var table = new byte[sectionCount * ChecksummedFile.TableEntryLength];
        ReadExactly(file, table, tableStart);
        var sections = new Dictionary<string, (long Start, long Length)>(StringComparer.Ordinal);
        var tags = new string[sectionCount];
        var position = (long)ChecksummedFile.PrefixLength;
        for (var i = 0; i < sectionCount; i++)
        {
            var entry = table.AsSpan(i * ChecksummedFile.TableEntryLength, ChecksummedFile.TableEntryLength);
            var tag = Encoding.ASCII.GetString(entry[..4]);
            var length = BinaryPrimitives.ReadInt64LittleEndian(entry[4..]);
            if (!ChecksummedFile.IsTag(tag) || (i == 0) != (tag == ChecksummedFile.HeaderTag) || sections.ContainsKey(tag))
            {
                throw Damaged(path, "it is truncated or damaged (its table of sections names a section wrongly)");
            }

            if (length < 0 || length > tableStart - position)
            {
                throw Damaged(path, string.Create(CultureInfo.InvariantCulture, $"it is truncated or damaged (its section {tag} claims {length:N0} bytes, but only {tableStart - position:N0} are left)"));
            }

            sections.Add(tag, (position, length));
            tags[i] = tag;
            position += length;
        }

        if (position != tableStart)
        {
            throw Damaged(path, string.Create(CultureInfo.InvariantCulture, $"it is truncated or damaged (its sections add up to {position - ChecksummedFile.PrefixLength:N0} bytes, but it holds {tableStart - ChecksummedFile.PrefixLength:N0})"));
        }

        CheckHash(path, file, fileLength);
        return (sections, tags);
    }

    private static void CheckPrefix(string path, FileFormat format, ReadOnlySpan<byte> prefix, long fileLength)
    {
        var magic = ChecksummedFile.Magic;
        if (prefix.Length < magic.Length || !prefix[..magic.Length].SequenceEqual(magic))
        {
            foreach (var legacy in format.LegacyMagics)
            {
                if (prefix.Length >= magic.Length && prefix[..magic.Length].SequenceEqual(Encoding.ASCII.GetBytes(legacy)))
                {
                    throw new ChecksummedFileException(path, FileProblem.OlderFormat, $"it was saved by an older ModelGen (format {legacy})");
                }
            }

            if (prefix.Length < magic.Length && prefix.Length > 0 && magic.StartsWith(prefix))
            {
                throw Damaged(path, string.Create(CultureInfo.InvariantCulture, $"it is truncated ({fileLength:N0} bytes)"));
            }

            throw new ChecksummedFileException(path, FileProblem.NotThisFormat, $"it is not a ModelGen {format.Name}");
        }

        if (prefix.Length < ChecksummedFile.PrefixLength)
        {
            throw Damaged(path, string.Create(CultureInfo.InvariantCulture, $"it is truncated ({fileLength:N0} bytes)"));
        }

        var kind = prefix[magic.Length..(magic.Length + 4)];
        if (!kind.SequenceEqual(Encoding.ASCII.GetBytes(format.Kind)))
        {
            var printable = ChecksummedFile.IsTag(Encoding.ASCII.GetString(kind)) ? $"a ModelGen file of another kind ({Encoding.ASCII.GetString(kind)})" : "a damaged ModelGen file";
            throw new ChecksummedFileException(path, FileProblem.NotThisFormat, $"it is {printable}, not a {format.Name}");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(prefix[(magic.Length + 4)..]);
        if (version != format.Version)
        {
            var (problem, age) = version < format.Version ? (FileProblem.OlderFormat, "an older") : (FileProblem.NewerFormat, "a newer");
            throw new ChecksummedFileException(path, problem, string.Create(CultureInfo.InvariantCulture, $"it was saved by {age} ModelGen (format {format.Kind} {version}; this one reads {format.Kind} {format.Version})"));
        }
    }

    private static void CheckHash(string path, SafeFileHandle file, long fileLength)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(HashBufferLength);
        try
        {
            var hashed = fileLength - ChecksummedFile.HashLength;
            for (var position = 0L; position < hashed;)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, hashed - position));
                ReadExactly(file, chunk, position);
                sha.AppendData(chunk);
                position += chunk.Length;
            }

            Span<byte> stored = stackalloc byte[ChecksummedFile.HashLength];
            ReadExactly(file, stored, hashed);
            if (!sha.GetHashAndReset().AsSpan().SequenceEqual(stored))
            {
                throw Damaged(path, "it is damaged or truncated (its checksum does not match its content)");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (long Start, long Length) Find(string tag) =>
        _sections.TryGetValue(tag, out var section) ? section : throw Damaged(Path, $"it is damaged (it has no {tag} section)");

    private static int ReadAtMost(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(file, buffer[total..], offset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        if (ReadAtMost(file, buffer, offset) != buffer.Length)
        {
            throw new EndOfStreamException("The file ended early: it changed while it was read.");
        }
    }

    private static ChecksummedFileException Damaged(string path, string reason, Exception? inner = null) =>
        new(path, FileProblem.Damaged, reason, inner);
}
