using TorchSharp;
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
                ".safetensors" => SafetensorsFile.Read(path),
                ".pt" or ".pth" => ReadPickle(path),
                ".dat" => ReadTorchSharp(path),
                _ => throw new WeightsException($"'{extension}' is not a weights format ModelGen reads for catalog backbones; use .safetensors, .pth, .pt or .dat."),
            };
        }
        catch (WeightsException)
        {
            throw;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or IOException or InvalidDataException or FormatException or InvalidOperationException
            or ArgumentException or NotSupportedException or IndexOutOfRangeException or OverflowException or InvalidCastException or System.Runtime.InteropServices.ExternalException)
        {
            throw new WeightsException($"The weights file {path} could not be read as {Describe(extension)}: {e.Message}. Is it damaged or truncated?", e);
        }
    }

    private static Dictionary<string, Tensor> ReadPickle(string path)
    {
        Span<byte> start = stackalloc byte[16];
        int read;
        using (var probe = File.OpenRead(path))
        {
            read = probe.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }

        if (read >= 2 && start[0] == (byte)'P' && start[1] == (byte)'K')
        {
            return PyTorchArchive.Read(path);
        }

        if (PyTorchLegacyFile.IsLegacy(start[..read]))
        {
            return PyTorchLegacyFile.Read(path);
        }

        throw new WeightsException($"The weights file {path} is neither a PyTorch zip archive (torch.save since PyTorch 1.6) nor PyTorch's older format; re-save it with torch.save(model.state_dict(), path).");
    }

    private static readonly ScalarType[] DatTypes =
        [ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64, ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool];

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
        try
        {
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                if (result.ContainsKey(name))
                {
                    throw new WeightsException($"The weights file {path} holds the tensor '{name}' twice; the file is damaged.");
                }

                result[name] = ReadTensor(reader, path, name);
            }

            return result;
        }
        catch
        {
            foreach (var tensor in result.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    private static Tensor ReadTensor(BinaryReader reader, string path, string name)
    {
        var code = reader.Decode();
        if (!DatTypes.Contains((ScalarType)code) || code != (long)(ScalarType)code)
        {
            throw new WeightsException($"The tensor '{name}' in {path} has the type code {code}, which is not one of the types ModelGen reads ({string.Join(", ", DatTypes)}); the file is damaged.");
        }

        var type = (ScalarType)code;
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
