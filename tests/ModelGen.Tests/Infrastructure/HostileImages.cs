using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Files that pretend to be images, or are images too large to decode.</summary>
internal static class HostileImages
{
    /// <summary>Writes the hostile files into <paramref name="folder"/>; returns their names.</summary>
    public static string[] Write(string folder, string realImage)
    {
        File.WriteAllBytes(Path.Combine(folder, "empty.png"), []);
        var bytes = File.ReadAllBytes(realImage);
        File.WriteAllBytes(Path.Combine(folder, "truncated.png"), bytes.AsSpan(0, bytes.Length / 2).ToArray());
        File.WriteAllText(Path.Combine(folder, "text.jpg"), "This is a text file that says it is a JPEG.");
        File.WriteAllBytes(Path.Combine(folder, "lying-header.png"), Png(60000, 60000, bitDepth: 8, rows: null));
        File.WriteAllBytes(Path.Combine(folder, "huge.png"), Png(20000, 20000, bitDepth: 1, rows: 20000));
        return ["empty.png", "truncated.png", "text.jpg", "lying-header.png", "huge.png"];
    }

    /// <summary>
    /// A gray PNG. With <paramref name="rows"/> it is a real, valid image of black pixels (the zeros
    /// compress to almost nothing); without, only the header is there.
    /// </summary>
    public static byte[] Png(int width, int height, int bitDepth, int? rows) => Png(width, height, bitDepth, rows, metadata: []);

    /// <summary>
    /// A valid 8x8 gray PNG whose metadata is a decompression bomb: one <paramref name="chunkType"/> chunk (zTXt, or
    /// iTXt with its compressed flag set) holding <paramref name="expandedBytes"/> zeros, zlib-compressed about
    /// 1000 to 1 (a gigabyte of text in a megabyte of file).
    /// </summary>
    public static byte[] TextBomb(string chunkType, long expandedBytes)
    {
        using var text = new MemoryStream();
        text.Write("Comment"u8);
        text.Write(chunkType switch
        {
            "zTXt" => [0, 0], // keyword end, compression method (zlib)
            "iTXt" => [0, 1, 0, 0, 0], // keyword end, compressed, zlib, empty language and translated keyword
            _ => throw new ArgumentException($"not a compressed text chunk: {chunkType}", nameof(chunkType)),
        });
        using (var zlib = new ZLibStream(text, CompressionLevel.Optimal, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var left = expandedBytes; left > 0; left -= zeros.Length)
            {
                zlib.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
            }
        }

        return Png(8, 8, bitDepth: 8, rows: 8, metadata: [(chunkType, text.ToArray())]);
    }

    private static byte[] Png(int width, int height, int bitDepth, int? rows, (string Type, byte[] Data)[] metadata)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = 0; // gray
        Chunk(png, "IHDR", header);
        foreach (var (type, data) in metadata)
        {
            Chunk(png, type, data);
        }

        if (rows is { } count)
        {
            using var data = new MemoryStream();
            using (var zlib = new ZLibStream(data, CompressionLevel.Fastest, leaveOpen: true))
            {
                var row = new byte[1 + ((width * bitDepth) + 7) / 8];
                for (var i = 0; i < count; i++)
                {
                    zlib.Write(row);
                }
            }

            Chunk(png, "IDAT", data.ToArray());
        }

        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, Crc32([.. typeBytes, .. data]));
        png.Write(value);
    }

    /// <summary>PNG's CRC-32 (ISO 3309), bit by bit: the chunks here are small.</summary>
    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
