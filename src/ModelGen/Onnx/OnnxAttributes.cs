using Onnx;

namespace ModelGen.Onnx;

/// <summary>Typed access to a node's attributes, with ONNX's defaults, and range checks that name the node and attribute.</summary>
internal sealed class OnnxAttributes(NodeProto node)
{
    private readonly Dictionary<string, AttributeProto> _attributes = Index(node);

    public long Int(string name, long fallback) => _attributes.TryGetValue(name, out var a) ? a.I : fallback;

    /// <summary>An int attribute that must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="OnnxImportException">It lies outside; the message names the node, the attribute and the valid range.</exception>
    public long Int(string name, long fallback, long min, long max)
    {
        var value = Int(name, fallback);
        if (value < min || value > max)
        {
            throw new OnnxImportException($"The {node.OpType} node '{NodeName}' has {name} = {value}; it must be from {min:N0} to {max:N0}.");
        }

        return value;
    }

    public float Float(string name, float fallback) => _attributes.TryGetValue(name, out var a) ? a.F : fallback;

    public string String(string name, string fallback) => _attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => _attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    /// <summary>
    /// An ints attribute (or <paramref name="fallback"/> when absent) that must have <paramref name="count"/>
    /// values, each in [<paramref name="min"/>, <paramref name="max"/>].
    /// </summary>
    /// <exception cref="OnnxImportException">It has another length or a value outside; the message names the node, the attribute, the values and what is valid.</exception>
    public long[]? Ints(string name, long[]? fallback, int count, long min, long max)
    {
        var values = Ints(name) ?? fallback;
        if (values is not null && (values.Length != count || values.Any(v => v < min || v > max)))
        {
            throw new OnnxImportException(
                $"The {node.OpType} node '{NodeName}' has {name} = [{string.Join(", ", values)}]; ModelGen needs {count} values, each from {min:N0} to {max:N0}.");
        }

        return values;
    }

    public TensorProto? Tensor(string name) => _attributes.TryGetValue(name, out var a) ? a.T : null;

    public bool Has(string name) => _attributes.ContainsKey(name);

    private string NodeName => node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "";

    private static Dictionary<string, AttributeProto> Index(NodeProto node)
    {
        var attributes = new Dictionary<string, AttributeProto>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            if (!attributes.TryAdd(attribute.Name, attribute))
            {
                throw new OnnxImportException($"The {node.OpType} node '{node.Name}' gives the attribute '{attribute.Name}' twice; an ONNX node gives each attribute once.");
            }
        }

        return attributes;
    }
}
