using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Weights;

/// <summary>
/// Reads a safetensors file: an 8-byte header length, a JSON header (name → dtype, shape, data_offsets), then
/// the tensors' bytes. The whole header is checked before any tensor is allocated: its structure, each dtype,
/// and that each tensor's bytes lie inside the file and match its dtype and shape.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>The largest header read (a header holds names and shapes: kilobytes to a few megabytes).</summary>
    private const ulong MaxHeaderBytes = 100_000_000;

    private static readonly Dictionary<string, (ScalarType Type, int Size)> Supported = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Start, long End);

    /// <summary>The dtypes ModelGen reads, for messages.</summary>
    public static string SupportedTypes => string.Join(", ", Supported.Keys);

    /// <summary>Reads every tensor of the file at <paramref name="path"/>. The caller disposes them.</summary>
    /// <exception cref="WeightsException">The header is damaged or forged, or a dtype is not one ModelGen reads.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) != 8)
        {
            throw new WeightsException($"The weights file {path} is too short to be safetensors.");
        }

        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength == 0 || headerLength > MaxHeaderBytes || (long)headerLength > stream.Length - 8)
        {
            throw new WeightsException($"The weights file {path} has a safetensors header of {headerLength:N0} bytes, which does not fit the file; it is damaged.");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataStart = 8 + (long)headerLength;
        var entries = Entries(header, path, stream.Length - dataStart);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in entries)
            {
                var tensor = empty(entry.Shape, entry.Type);
                result[entry.Name] = tensor;
                stream.Position = dataStart + entry.Start;
                stream.ReadExactly(tensor.bytes);
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

    private static List<Entry> Entries(byte[] header, string path, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new WeightsException($"The weights file {path} has a safetensors header that is not JSON ({e.Message}); it is damaged.", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new WeightsException($"The weights file {path} has a safetensors header that is a JSON {document.RootElement.ValueKind}, not an object of tensors; it is damaged.");
            }

            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
            {
                if (!names.Add(property.Name))
                {
                    throw new WeightsException($"The weights file {path} lists the tensor '{property.Name}' twice in its header; it is damaged.");
                }

                entries.Add(Parse(property, path, dataLength));
            }

            return entries;
        }
    }

    private static Entry Parse(JsonProperty property, string path, long dataLength)
    {
        var name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw new WeightsException($"The tensor '{name}' in {path} is not described by a dtype string, a shape array and a data_offsets array; the file is damaged.");
        }

        var typeName = dtype.GetString()!;
        if (!Supported.TryGetValue(typeName, out var type))
        {
            throw new WeightsException($"The tensor '{name}' in {path} has dtype {typeName}; ModelGen reads the safetensors dtypes {SupportedTypes}. Convert it first (for example to F32).");
        }

        var shape = Integers(shapeElement, name, path, "shape");
        var offsets = Integers(offsetsElement, name, path, "data_offsets");
        long bytes = type.Size;
        foreach (var size in shape)
        {
            bytes = size == 0 ? 0 : bytes > long.MaxValue / size ? long.MaxValue : bytes * size;
        }

        if (shape.Length > 64 || offsets.Length != 2 || offsets[0] > offsets[1] || offsets[1] > dataLength || offsets[1] - offsets[0] != bytes)
        {
            throw new WeightsException(
                $"The tensor '{name}' in {path} ({typeName}, shape [{string.Join(", ", shape)}], {bytes:N0} bytes) does not fit its place in the file "
                + $"(data_offsets [{string.Join(", ", offsets)}] in {dataLength:N0} bytes of data); the file is damaged.");
        }

        return new Entry(name, type.Type, shape, offsets[0], offsets[1]);
    }

    private static long[] Integers(JsonElement array, string name, string path, string key)
    {
        var values = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var value) || value < 0)
            {
                throw new WeightsException($"The tensor '{name}' in {path} has {key} {array.GetRawText()}; it must be non-negative integers. The file is damaged.");
            }

            values.Add(value);
        }

        return [.. values];
    }
}
