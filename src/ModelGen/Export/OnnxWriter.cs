using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace ModelGen.Export;

/// <summary>Builds an ONNX graph: unique value names, initializers from tensors, nodes with attributes.</summary>
internal sealed class OnnxWriter
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public GraphProto Graph { get; } = new() { Name = "modelgen" };

    /// <summary>A fresh value name starting with <paramref name="prefix"/>.</summary>
    public string Name(string prefix)
    {
        var name = prefix;
        while (!_names.Add(name))
        {
            name = $"{prefix}_{++_counter}";
        }

        return name;
    }

    /// <summary>Adds a float initializer holding <paramref name="value"/>'s current values.</summary>
    public string Initializer(string prefix, Tensor value)
    {
        var name = Name(prefix);
        using var cpu = value.detach().to_type(ScalarType.Float32).cpu().contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(cpu.bytes) };
        proto.Dims.AddRange(cpu.shape);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, indexes).</summary>
    public string Longs(string prefix, params long[] values)
    {
        var name = Name(prefix);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        proto.Dims.Add(values.Length);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>The inputs of a layer with weights: <paramref name="x"/>, the weight and, when there is one, the bias.</summary>
    public List<string> WithWeights(string x, string name, Tensor weight, Tensor? bias)
    {
        var inputs = new List<string> { x, Initializer(name + ".weight", weight) };
        if (bias is not null)
        {
            inputs.Add(Initializer(name + ".bias", bias));
        }

        return inputs;
    }

    /// <summary>Adds a float scalar initializer.</summary>
    public string Scalar(string prefix, float value)
    {
        var name = Name(prefix);
        Graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(BitConverter.GetBytes(value)) });
        return name;
    }

    /// <summary>Adds a node with one output (named after <paramref name="name"/>) and returns the output's name.</summary>
    public string Node(string op, string name, IEnumerable<string> inputs, params (string Name, object Value)[] attributes)
    {
        var output = Name(name);
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (attribute, value) in attributes)
        {
            node.Attribute.Add(Attribute(attribute, value));
        }

        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Copies a node of an imported graph, with its inputs renamed.</summary>
    public string Copy(NodeProto original, string name, IEnumerable<string> inputs)
    {
        var output = Name(name);
        var node = new NodeProto { OpType = original.OpType, Name = output, Domain = original.Domain };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(original.Attribute.Select(a => a.Clone()));
        Graph.Node.Add(node);
        return output;
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var attribute = new AttributeProto { Name = name };
        switch (value)
        {
            case long or int:
                attribute.Type = AttributeProto.Types.AttributeType.Int;
                attribute.I = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case float or double:
                attribute.Type = AttributeProto.Types.AttributeType.Float;
                attribute.F = Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case long[] ints:
                attribute.Type = AttributeProto.Types.AttributeType.Ints;
                attribute.Ints.AddRange(ints);
                break;
            case string s:
                attribute.Type = AttributeProto.Types.AttributeType.String;
                attribute.S = ByteString.CopyFromUtf8(s);
                break;
            default:
                throw new ArgumentException($"attribute {name} has an unsupported type {value.GetType().Name}");
        }

        return attribute;
    }
}
