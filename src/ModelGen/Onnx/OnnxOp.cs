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

    /// <summary>
    /// The shapes of the tensors this op will make that can be larger than its inputs (a padded copy, a
    /// broadcast, a concatenation), computed from the input shapes before it runs, so that the graph can refuse
    /// them before anything is allocated. Ops whose outputs are no larger than their inputs plan nothing.
    /// </summary>
    /// <exception cref="OnnxImportException">An input is missing or has a rank the op does not take.</exception>
    public virtual IEnumerable<long[]> PlannedShapes(OnnxValues values) => [];

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

    /// <summary>Input <paramref name="index"/> of <paramref name="op"/>, which must exist and (when given) have <paramref name="rank"/> dimensions.</summary>
    /// <exception cref="OnnxImportException">The node lacks the input, or it has another rank.</exception>
    public Tensor Input(OnnxOp op, int index, int? rank = null)
    {
        var node = op.Node;
        if (node.Input.Count <= index || node.Input[index].Length == 0)
        {
            throw new OnnxImportException($"The {node.OpType} node '{op.Name}' has {node.Input.Count} input(s); it needs input {index + 1}.");
        }

        var value = this[node.Input[index]];
        if (rank is { } expected && value.dim() != expected)
        {
            throw new OnnxImportException($"The {node.OpType} node '{op.Name}' takes a {expected}-D input, but '{node.Input[index]}' is {OnnxLimits.Format(value.shape)}.");
        }

        return value;
    }
}
