using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>
/// One ONNX node turned into TorchSharp: it reads its inputs by name, computes its (first) output, and
/// may own a module (convolution, batch norm, linear) whose parameters train like any other.
/// </summary>
internal abstract class OnnxOp(NodeProto node)
{
    public NodeProto Node { get; } = node;

    /// <summary>The node's name, or its first output's name when the node has none.</summary>
    public string Name => Node.Name.Length > 0 ? Node.Name : Node.Output[0];

    /// <summary>The module this node owns, if any (registered in the graph module under a layer name).</summary>
    public virtual nn.Module? Module => null;

    /// <summary>Computes the node's first output from the graph's values.</summary>
    public abstract Tensor Run(OnnxValues values);

    /// <summary>Hands this op, by its kind, to <paramref name="visitor"/>.</summary>
    public abstract T Accept<T>(IOnnxOpVisitor<T> visitor);
}

/// <summary>What an op sees while the graph runs: values by name (graph input, earlier outputs, constants).</summary>
internal sealed class OnnxValues(Dictionary<string, Tensor> values, IReadOnlyDictionary<string, Tensor> constants)
{
    public Tensor this[string name] => values.TryGetValue(name, out var value) ? value
        : constants.TryGetValue(name, out var constant) ? constant
        : throw new OnnxImportException($"The ONNX value '{name}' is used before it is computed; the graph is not in topological order.");
}
