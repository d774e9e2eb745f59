using System.Runtime.InteropServices;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>Turns ONNX tensors (initializers, constants) into TorchSharp tensors, checking sizes first.</summary>
internal static class OnnxTensors
{
    /// <summary>A float32 (or int64) tensor from an ONNX tensor; other types are converted to float32.</summary>
    /// <exception cref="OnnxImportException">The type is unsupported or the data does not match the dims.</exception>
    public static Tensor ToTensor(TensorProto proto)
    {
        var dims = proto.Dims.ToArray();
        if (dims.Any(d => d < 0))
        {
            throw new OnnxImportException($"The ONNX tensor '{proto.Name}' has a negative dimension.");
        }

        // The data must be there before anything is allocated for it: the dims alone may ask for anything.
        var count = OnnxLimits.Product(dims);
        var type = (TensorProto.Types.DataType)proto.DataType;
        var raw = proto.RawData.Span;
        var stored = raw.Length > 0 ? raw.Length / Math.Max(1, ElementSize(type)) : proto.FloatData.Count + proto.DoubleData.Count + proto.Int64Data.Count + proto.Int32Data.Count;
        var supported = type is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32;
        if (supported && (count != stored || raw.Length % ElementSize(type) != 0))
        {
            throw new OnnxImportException($"The ONNX tensor '{proto.Name}' holds {stored:N0} values ({raw.Length:N0} raw bytes) but its dims [{string.Join(", ", proto.Dims)}] need {count:N0} {type} values; the file is damaged.");
        }

        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                {
                    var values = raw.Length > 0 ? Check<float>(proto, MemoryMarshal.Cast<byte, float>(raw).ToArray(), count) : Check(proto, proto.FloatData.ToArray(), count);
                    return tensor(values, dims);
                }

            case TensorProto.Types.DataType.Double:
                {
                    var values = raw.Length > 0 ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : proto.DoubleData.ToArray();
                    return tensor(Check(proto, values, count).Select(v => (float)v).ToArray(), dims);
                }

            case TensorProto.Types.DataType.Int64:
                {
                    var values = raw.Length > 0 ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : proto.Int64Data.ToArray();
                    return tensor(Check(proto, values, count), dims);
                }

            case TensorProto.Types.DataType.Int32:
                {
                    var values = raw.Length > 0 ? MemoryMarshal.Cast<byte, int>(raw).ToArray() : proto.Int32Data.ToArray();
                    return tensor(Check(proto, values, count).Select(v => (long)v).ToArray(), dims);
                }

            default:
                throw new OnnxImportException($"The ONNX tensor '{proto.Name}' has type {type}; ModelGen reads float, double, int32 and int64 tensors.");
        }
    }

    /// <summary>The values of a small int64 tensor (shapes, axes, pads).</summary>
    public static long[] ToLongs(TensorProto proto)
    {
        using var t = ToTensor(proto);
        using var longs = t.to_type(ScalarType.Int64);
        return longs.data<long>().ToArray();
    }

    private static int ElementSize(TensorProto.Types.DataType type) => type switch
    {
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 => 8,
        _ => 4,
    };

    private static T[] Check<T>(TensorProto proto, T[] values, long count)
    {
        if (values.Length != count)
        {
            throw new OnnxImportException($"The ONNX tensor '{proto.Name}' holds {values.Length:N0} values but its dims [{string.Join(", ", proto.Dims)}] need {count:N0}; the file is damaged.");
        }

        return values;
    }
}
