using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Writes small ONNX models for tests: one input, initializers, nodes, one output.</summary>
internal sealed class OnnxGraph
{
    private readonly GraphProto _graph = new() { Name = "test" };
    private readonly long _opset;
    private readonly Random _random = new(11);

    public OnnxGraph(long[] inputShape, long opset = 13)
    {
        _opset = opset;
        _graph.Input.Add(ValueInfo("x", inputShape));
        InputShape = inputShape;
    }

    public long[] InputShape { get; }

    /// <summary>Adds a float initializer of random values (or the given ones).</summary>
    public string Initializer(string name, long[] dims, float[]? values = null, float scale = 0.5f)
    {
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        values ??= Enumerable.Range(0, count).Select(_ => (float)((_random.NextDouble() * 2) - 1) * scale).ToArray();
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes, pads).</summary>
    public string Longs(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.Add(values.Length);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a rank-0 int64 initializer (a single index).</summary>
    public string ScalarLong(string name, long value)
    {
        _graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(BitConverter.GetBytes(value)) });
        return name;
    }

    /// <summary>Adds a node; attributes are ints, long[], floats or strings.</summary>
    public string Node(string op, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + _graph.Node.Count };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (name, value) in attributes)
        {
            var attribute = new AttributeProto { Name = name };
            switch (value)
            {
                case long i:
                    attribute.Type = AttributeProto.Types.AttributeType.Int;
                    attribute.I = i;
                    break;
                case int i:
                    attribute.Type = AttributeProto.Types.AttributeType.Int;
                    attribute.I = i;
                    break;
                case float f:
                    attribute.Type = AttributeProto.Types.AttributeType.Float;
                    attribute.F = f;
                    break;
                case long[] ints:
                    attribute.Type = AttributeProto.Types.AttributeType.Ints;
                    attribute.Ints.AddRange(ints);
                    break;
                case string s:
                    attribute.Type = AttributeProto.Types.AttributeType.String;
                    attribute.S = ByteString.CopyFromUtf8(s);
                    break;
                case TensorProto t:
                    attribute.Type = AttributeProto.Types.AttributeType.Tensor;
                    attribute.T = t;
                    break;
                default:
                    throw new ArgumentException($"unsupported attribute type {value.GetType()}");
            }

            node.Attribute.Add(attribute);
        }

        _graph.Node.Add(node);
        return output;
    }

    /// <summary>The model with <paramref name="output"/> as its output.</summary>
    public ModelProto Build(string output)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "ModelGen tests", Graph = _graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        model.Graph.Output.Add(new ValueInfoProto { Name = output, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        return model;
    }

    public float[] RandomInput(int seed = 3)
    {
        var random = new Random(seed);
        var count = (int)InputShape.Aggregate(1L, (a, b) => a * b);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    public static ValueInfoProto ValueInfo(string name, long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = 1, Shape = new TensorShapeProto() };
        foreach (var dim in shape)
        {
            tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
