using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ModelGen.Weights;

/// <summary>
/// Reads a state dict (name → tensor) from PyTorch (<c>.pt</c>, <c>.pth</c>), safetensors and TorchSharp
/// (<c>.dat</c>) files. The files are treated as untrusted: the pickle reader builds only tensors and
/// containers (no code runs), and damaged or truncated files give a <see cref="WeightsException"/>.
/// </summary>
internal static class StateDictReader
{
    /// <summary>Files above this size are refused before reading (the largest catalog model is under 1 GB).</summary>
    public const long MaxFileBytes = 4L << 30;

    /// <summary>Reads every tensor of a weights file. The caller disposes the tensors.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new WeightsException($"The weights file {path} does not exist.");
        }

        if (info.Length == 0)
        {
            throw new WeightsException($"The weights file {path} is empty.");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new WeightsException($"The weights file {path} is {info.Length:N0} bytes, more than the {MaxFileBytes:N0} any catalog backbone needs; refusing to read it.");
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            return extension switch
            {
                ".safetensors" => ReadSafetensors(path),
                ".pt" or ".pth" => ReadPickle(path),
                ".dat" => ReadTorchSharp(path),
                _ => throw new WeightsException($"'{extension}' is not a weights format ModelGen reads for catalog backbones; use .safetensors, .pth, .pt or .dat."),
            };
        }
        catch (WeightsException)
        {
            throw;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or IOException or InvalidDataException or FormatException or InvalidOperationException or ArgumentException or NotSupportedException or IndexOutOfRangeException or OverflowException or EndOfStreamException or Razorvine.Pickle.PickleException or KeyNotFoundException or InvalidCastException or NullReferenceException)
        {
            throw new WeightsException($"The weights file {path} could not be read as {Describe(extension)}: {e.Message}. Is it damaged or truncated?", e);
        }
    }

    private static Dictionary<string, Tensor> ReadPickle(string path)
    {
        using (var probe = File.OpenRead(path))
        {
            Span<byte> magic = stackalloc byte[2];
            if (probe.Read(magic) != 2 || magic[0] != (byte)'P' || magic[1] != (byte)'K')
            {
                throw new WeightsException($"The weights file {path} is not a PyTorch zip archive (saved with torch.save since PyTorch 1.6); re-save it with torch.save(model.state_dict(), path).");
            }
        }

        CheckZipBounds(path);
        var table = PyTorchUnpickler.UnpickleStateDict(path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in table)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor)
            {
                result[name] = tensor;
            }
        }

        if (result.Count == 0)
        {
            throw new WeightsException($"The weights file {path} holds no tensors; it should be a state dict (torch.save(model.state_dict(), path)), not a whole pickled model.");
        }

        return result;
    }

    /// <summary>
    /// A PyTorch file is a zip of mostly uncompressed tensor data: the contents it declares may not be much
    /// larger than the file, so a hostile archive (a zip bomb) cannot make the reader allocate gigabytes.
    /// </summary>
    private static void CheckZipBounds(string path)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(path);
        var length = new FileInfo(path).Length;
        var limit = (4 * length) + (1 << 20);
        long total = 0;
        foreach (var entry in archive.Entries)
        {
            total += entry.Length;
            if (total > limit)
            {
                throw new WeightsException($"The weights file {path} declares more than {limit:N0} bytes of content in a {length:N0}-byte file (at entry '{entry.FullName}'); refusing to read it.");
            }
        }
    }

    /// <summary>
    /// Checks a safetensors header before the tensors are read: its length, that every tensor's bytes lie
    /// inside the file, and that dtype and shape fit those bytes.
    /// </summary>
    private static Dictionary<string, Tensor> ReadSafetensors(string path)
    {
        using (var stream = File.OpenRead(path))
        {
            Span<byte> prefix = stackalloc byte[8];
            if (stream.Read(prefix) != 8)
            {
                throw new WeightsException($"The weights file {path} is too short to be safetensors.");
            }

            var headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength == 0 || headerLength > 100_000_000 || (long)headerLength > stream.Length - 8)
            {
                throw new WeightsException($"The weights file {path} has a safetensors header of {headerLength:N0} bytes, which does not fit the file; it is damaged.");
            }

            var header = new byte[headerLength];
            stream.ReadExactly(header);
            var dataLength = stream.Length - 8 - (long)headerLength;
            using var document = System.Text.Json.JsonDocument.Parse(header);
            foreach (var entry in document.RootElement.EnumerateObject().Where(e => e.Name != "__metadata__"))
            {
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                var elements = entry.Value.GetProperty("shape").EnumerateArray().Aggregate(1L, (a, d) => checked(a * d.GetInt64()));
                var size = entry.Value.GetProperty("dtype").GetString() switch
                {
                    "F64" or "I64" or "U64" => 8,
                    "F32" or "I32" or "U32" => 4,
                    "F16" or "BF16" or "I16" or "U16" => 2,
                    _ => 1,
                };
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || offsets[1] - offsets[0] != checked(elements * size))
                {
                    throw new WeightsException($"The tensor '{entry.Name}' in {path} does not fit its place in the file; the file is damaged.");
                }
            }
        }

        return Safetensors.LoadStateDict(path);
    }

    private static Dictionary<string, Tensor> ReadTorchSharp(string path)
    {
        // TorchSharp's format: a count, then (name, tensor) pairs.
        using var reader = new BinaryReader(File.OpenRead(path));
        var count = reader.Decode();
        if (count < 0 || count > 1_000_000)
        {
            throw new WeightsException($"The weights file {path} does not look like a TorchSharp .dat file (it claims {count} tensors).");
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            result[name] = ReadTensor(reader, path, name);
        }

        return result;
    }

    private static Tensor ReadTensor(BinaryReader reader, string path, string name)
    {
        var type = (ScalarType)reader.Decode();
        var rank = reader.Decode();
        if (rank < 0 || rank > 8)
        {
            throw new WeightsException($"The tensor '{name}' in {path} claims {rank} dimensions; the file is damaged.");
        }

        var shape = new long[rank];
        long elements = 1;
        for (var d = 0; d < rank; d++)
        {
            shape[d] = reader.Decode();
            if (shape[d] < 0)
            {
                throw new WeightsException($"The tensor '{name}' in {path} has a negative size; the file is damaged.");
            }

            elements = checked(elements * shape[d]);
        }

        // Check the size before allocating: a damaged header must not ask for gigabytes.
        var remainingBytes = reader.BaseStream.Length - reader.BaseStream.Position;
        if (elements > remainingBytes)
        {
            throw new WeightsException($"The tensor '{name}' in {path} claims {elements:N0} elements, more than the {remainingBytes:N0} bytes left in the file; the file is damaged.");
        }

        var tensor = torch.empty(shape, type);
        var bytes = tensor.bytes;
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (bytes.Length > remaining)
        {
            tensor.Dispose();
            throw new WeightsException($"The tensor '{name}' in {path} needs {bytes.Length:N0} bytes but only {remaining:N0} remain; the file is truncated.");
        }

        reader.BaseStream.ReadExactly(bytes);
        return tensor;
    }

    private static long Decode(this BinaryReader reader)
    {
        // 7-bit encoded signed integers, as TorchSharp writes them.
        long value = 0;
        var shift = 0;
        while (true)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }

            shift += 7;
            if (shift > 63)
            {
                throw new InvalidDataException("a length field is too long");
            }
        }
    }

    private static string Describe(string extension) => extension switch
    {
        ".safetensors" => "safetensors",
        ".dat" => "a TorchSharp .dat file",
        _ => "a PyTorch state dict",
    };
}
