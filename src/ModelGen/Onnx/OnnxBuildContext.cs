using Onnx;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>What building ops needs: the initializers, the opset, and whether to keep the graph's weights.</summary>
internal sealed class OnnxBuildContext(IReadOnlyDictionary<string, TensorProto> initializers, long opset, bool loadWeights)
{
    public long Opset { get; } = opset;

    public bool LoadWeights { get; } = loadWeights;

    public bool IsInitializer(string name) => initializers.ContainsKey(name);

    /// <summary>An initializer as a tensor (the caller owns it).</summary>
    public Tensor Initializer(NodeProto node, int input, string role)
    {
        if (node.Input.Count <= input || node.Input[input].Length == 0 || !initializers.TryGetValue(node.Input[input], out var proto))
        {
            throw new OnnxImportException($"The {node.OpType} node '{node.Name}' takes its {role} from a computed value; ModelGen imports {node.OpType} with constant {role}s (initializers).");
        }

        return OnnxTensors.ToTensor(proto);
    }

    /// <summary>An optional initializer input as a tensor, or null when the input is absent.</summary>
    public Tensor? OptionalInitializer(NodeProto node, int input, string role) =>
        node.Input.Count > input && node.Input[input].Length > 0 ? Initializer(node, input, role) : null;

    /// <summary>A constant scalar input (Clip's min and max, Pad's value), or null when absent.</summary>
    public float? ConstantFloat(NodeProto node, int input)
    {
        if (node.Input.Count <= input || node.Input[input].Length == 0)
        {
            return null;
        }

        if (!initializers.TryGetValue(node.Input[input], out var proto))
        {
            throw new OnnxImportException($"The {node.OpType} node '{node.Name}' reads input {input} from a computed value; ModelGen needs it to be a constant.");
        }

        using var value = OnnxTensors.ToTensor(proto);
        return value.to_type(ScalarType.Float32).reshape(-1)[0].item<float>();
    }

    /// <summary>The number of dimensions of a constant input (0 for a single value), or null when it is absent or computed.</summary>
    public int? ConstantRank(NodeProto node, int input) =>
        node.Input.Count > input && initializers.TryGetValue(node.Input[input], out var proto) ? proto.Dims.Count : null;

    /// <summary>A constant int64 input (shape, axes, pads), or null when absent.</summary>
    public long[]? ConstantLongs(NodeProto node, int input)
    {
        if (node.Input.Count <= input || node.Input[input].Length == 0)
        {
            return null;
        }

        return initializers.TryGetValue(node.Input[input], out var proto)
            ? OnnxTensors.ToLongs(proto)
            : throw new OnnxImportException($"The {node.OpType} node '{node.Name}' reads input {input} from a computed value; ModelGen needs it to be a constant.");
    }
}
