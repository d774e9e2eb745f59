using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ModelGen.Data;

/// <summary>
/// Measures a PNG's compressed metadata before the image is decoded. Text (zTXt, iTXt) and colour profile (iCCP)
/// chunks are zlib streams, so a 1 MB chunk can hold a gigabyte of text: a decompression bomb that cost 3 GB and
/// 45 s, then aborted the pass (issue 18 item 3). ImageSharp is told to ignore metadata, so it never inflates
/// them; a file whose metadata expands past <see cref="MaxExpandedBytes"/> is refused all the same, with its
/// reason, as no honest image needs that much.
/// </summary>
internal static class PngMetadataLimit
{
    /// <summary>The most bytes a PNG's compressed metadata chunks may expand to, all together.</summary>
    public const long MaxExpandedBytes = 16L << 20;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Why the PNG in <paramref name="stream"/> (seekable, from its position) cannot be used, or null; null too for
    /// anything that is not a PNG, or is damaged, which the decoder reports. The stream's position is kept.
    /// </summary>
    public static string? Check(Stream stream)
    {
        var start = stream.Position;
        try
        {
            return Measure(stream);
        }
        finally
        {
            stream.Position = start;
        }
    }

    private static string? Measure(Stream stream)
    {
        Span<byte> header = stackalloc byte[8];
        if (!TryRead(stream, header) || !header.SequenceEqual(Signature))
        {
            return null;
        }

        var expanded = 0L;
        while (TryRead(stream, header))
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = header[4..];
            if (length > stream.Length - stream.Position || type.SequenceEqual("IEND"u8))
            {
                return null;
            }

            if (!(type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8) || type.SequenceEqual("iCCP"u8)))
            {
                stream.Seek(length + 4L, SeekOrigin.Current); // the data and the CRC
                continue;
            }

            var data = new byte[length];
            stream.ReadExactly(data);
            stream.Seek(4, SeekOrigin.Current);
            if (CompressedStart(type, data) is { } start)
            {
                expanded += Inflated(new MemoryStream(data, start, data.Length - start, writable: false), MaxExpandedBytes - expanded);
                if (expanded > MaxExpandedBytes)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"its {Encoding.ASCII.GetString(type)} metadata expands to more than {MaxExpandedBytes:N0} bytes (a decompression bomb)");
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Where the zlib stream of a chunk's data starts: after the name, a 0 and the method in a zTXt or iCCP chunk;
    /// after the keyword, a 0, the flag, the method, the language, a 0, the translated keyword and a 0 in an iTXt
    /// chunk whose flag says compressed. Null when there is none.
    /// </summary>
    private static int? CompressedStart(ReadOnlySpan<byte> type, byte[] data)
    {
        var keywordEnd = Array.IndexOf(data, (byte)0);
        if (keywordEnd < 0)
        {
            return null;
        }

        if (!type.SequenceEqual("iTXt"u8))
        {
            return Math.Min(keywordEnd + 2, data.Length);
        }

        if (keywordEnd + 2 >= data.Length || data[keywordEnd + 1] != 1)
        {
            return null; // not compressed
        }

        var languageEnd = Array.IndexOf(data, (byte)0, keywordEnd + 3);
        var translatedEnd = languageEnd < 0 ? -1 : Array.IndexOf(data, (byte)0, languageEnd + 1);
        return translatedEnd < 0 ? null : translatedEnd + 1;
    }

    /// <summary>How many bytes the zlib stream <paramref name="compressed"/> inflates to, counting no further than just past <paramref name="limit"/>; a damaged stream counts what it gave.</summary>
    private static long Inflated(Stream compressed, long limit)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var total = 0L;
        try
        {
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            int read;
            while (total <= limit && (read = zlib.Read(buffer)) > 0)
            {
                total += read;
            }
        }
        catch (InvalidDataException)
        {
            // Damaged: ImageSharp ignores metadata, so only what it inflated to counts.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return total;
    }

    private static bool TryRead(Stream stream, Span<byte> buffer) => stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;
}
