using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>
/// An ONNX graph as a TorchSharp module: the nodes needed for one output (the whole graph, or up to a cut
/// at a node or value name), each turned into torch operations. Convolutions, batch norms and linear
/// layers are real TorchSharp modules under layer names, so they train, freeze and save like any other.
/// </summary>
internal sealed class OnnxGraphModule : nn.Module<Tensor, Tensor>
{
    /// <summary>The operators ModelGen imports.</summary>
    public static readonly IReadOnlyList<string> SupportedOperators =
    [
        "Conv", "BatchNormalization", "Gemm", "MatMul", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Clip", "HardSigmoid", "HardSwish", "Softmax",
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Add", "Sub", "Mul", "Div", "Concat", "Flatten", "Reshape", "Transpose",
        "Squeeze", "Unsqueeze", "Pad", "Constant", "Identity", "Dropout", "Gather", "Erf", "Shape", "LayerNormalization",
    ];

    private readonly List<OnnxOp> _ops = [];
    private readonly List<string[]> _lastUsedBy = [];
    private readonly Dictionary<string, Tensor> _constants = new(StringComparer.Ordinal);
    private readonly string _input;
    private readonly List<(string Name, nn.Module Module)> _children = [];
    private readonly Dictionary<string, string> _constantBuffers = new(StringComparer.Ordinal);
    private nn.Module? _constantContainer;

    /// <summary>Imports <paramref name="model"/> up to <paramref name="cutAt"/> (a node name, a value name, or a layer name of <paramref name="naming"/>).</summary>
    /// <param name="model">The parsed ONNX model.</param>
    /// <param name="cutAt">Where the output is taken; null for the graph's first output.</param>
    /// <param name="naming">How layers are named.</param>
    /// <param name="loadWeights">False gives fresh weights (weights: none).</param>
    /// <exception cref="OnnxImportException">An operator is not supported, or the cut names no node.</exception>
    public OnnxGraphModule(ModelProto model, string? cutAt, OnnxNaming naming, bool loadWeights = true)
        : base("onnx")
    {
        var graph = model.Graph;
        if (graph.Node.FirstOrDefault(n => n.Output.Count == 0 || n.Output[0].Length == 0) is { } silent)
        {
            throw new OnnxImportException($"The {silent.OpType} node '{silent.Name}' has no output; every ONNX node names its first output.");
        }

        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(13).Max();
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _input = graph.Input.Select(i => i.Name).FirstOrDefault(name => !initializers.ContainsKey(name))
            ?? throw new OnnxImportException("The ONNX graph has no input besides its weights.");
        Output = ResolveCut(graph, cutAt, naming);
        var needed = Needed(graph, Output);
        var context = new OnnxBuildContext(initializers, opset, loadWeights);
        foreach (var node in graph.Node.Where(needed.Contains))
        {
            _ops.Add(CreateChecked(node, context));
            foreach (var input in node.Input.Where(i => i.Length > 0 && initializers.ContainsKey(i) && !_constants.ContainsKey(i)))
            {
                if (!OwnsInitializer(node, input))
                {
                    _constants[input] = OnnxTensors.ToTensor(initializers[input]);
                }
            }
        }

        RegisterModules(naming);
        RegisterConstants();
        InputName = _input;

        // Each computed value is freed right after the last node that reads it (or at once if none does).
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _ops.Count; i++)
        {
            lastUse[_ops[i].Node.Output[0]] = i;
            foreach (var input in _ops[i].Node.Input)
            {
                lastUse[input] = i;
            }
        }

        for (var i = 0; i < _ops.Count; i++)
        {
            _lastUsedBy.Add([]);
        }

        var computed = _ops.Select(o => o.Node.Output[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var (value, op) in lastUse)
        {
            if (value != _input && value != Output && computed.Contains(value))
            {
                _lastUsedBy[op] = [.. _lastUsedBy[op], value];
            }
        }
    }

    /// <summary>The graph input this module reads.</summary>
    public string InputName { get; }

    /// <summary>The value this module returns.</summary>
    public string Output { get; }

    /// <summary>The top-level layers (for a backbone to adopt under the same names).</summary>
    public IReadOnlyList<(string Name, nn.Module Module)> Layers => _children;

    /// <summary>The names of the imported nodes, in run order.</summary>
    public IEnumerable<string> NodeNames => _ops.Select(op => op.Name);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_input] = input };

        // Constants are read from the registered buffers each time: moving the module to another device
        // replaces those tensors.
        var constants = _constantContainer is null
            ? _constants
            : _constantBuffers.ToDictionary(kv => kv.Key, kv => _constantContainer.get_buffer(kv.Value)!);
        var view = new OnnxValues(values, constants);
        var budget = OnnxLimits.Budget(input);
        // Every value but the output is freed after its last reader, with whatever a node made inside it:
        // left to the caller's dispose scope, all activations would live until the end of the batch.
        for (var i = 0; i < _ops.Count; i++)
        {
            var op = _ops[i];
            Tensor result;
            using (var scope = NewDisposeScope())
            {
                result = RunChecked(op, view, budget, input);
                if (values.ContainsValue(result) || constants.Values.Contains(result))
                {
                    result = result.alias();
                }

                result.MoveToOuterDisposeScope();
            }

            values[op.Node.Output[0]] = result;
            foreach (var done in _lastUsedBy[i])
            {
                if (values.Remove(done, out var tensor))
                {
                    tensor.Dispose();
                }
            }
        }

        return values[Output];
    }

    /// <summary>The imported ops, in run order (for visitors such as the exporter).</summary>
    internal IReadOnlyList<OnnxOp> Ops => _ops;

    /// <summary>
    /// The current value of a constant of the graph (an initializer no op owns, or a Constant node's
    /// value): the registered buffer, which moves with the module, when there is one.
    /// </summary>
    /// <exception cref="OnnxImportException">The name is neither computed by an op nor a constant.</exception>
    internal Tensor ConstantValue(string name) =>
        _constantContainer is not null && _constantBuffers.TryGetValue(name, out var buffer) ? _constantContainer.get_buffer(buffer)!
        : _constants.TryGetValue(name, out var constant) ? constant
        : throw new OnnxImportException($"The ONNX value '{name}' is neither computed nor a constant.");

    private static string ResolveCut(GraphProto graph, string? cutAt, OnnxNaming naming)
    {
        if (cutAt is null)
        {
            var output = graph.Output.FirstOrDefault()?.Name ?? graph.Node[^1].Output[0];
            return graph.Node.Any(n => n.Output.Contains(output))
                ? output
                : throw new OnnxImportException($"The ONNX graph's output '{output}' is computed by none of its {graph.Node.Count} nodes; the file is damaged.");
        }

        if (naming.CutOutput(cutAt) is { } mapped)
        {
            return mapped;
        }

        var node = graph.Node.FirstOrDefault(n => n.Name == cutAt);
        if (node is not null)
        {
            return node.Output[0];
        }

        if (graph.Node.Any(n => n.Output.Contains(cutAt)))
        {
            return cutAt;
        }

        var names = graph.Node.Select(n => n.Name).Where(n => n.Length > 0).ToList();
        throw new OnnxImportException(
            $"The ONNX graph has no node or value '{cutAt}' to cut at; its nodes run from '{names.FirstOrDefault()}' to '{names.LastOrDefault()}' "
            + $"({names.Count} nodes, e.g. {string.Join(", ", names.Take(8))}).");
    }

    private static HashSet<NodeProto> Needed(GraphProto graph, string output)
    {
        var producer = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var value in node.Output)
            {
                producer[value] = node;
            }
        }

        var needed = new HashSet<NodeProto>();
        var pending = new Stack<string>([output]);
        while (pending.Count > 0)
        {
            if (producer.TryGetValue(pending.Pop(), out var node) && needed.Add(node))
            {
                foreach (var input in node.Input.Where(i => i.Length > 0))
                {
                    pending.Push(input);
                }
            }
        }

        return needed;
    }

    private static bool OwnsInitializer(NodeProto node, string input) =>
        node.OpType is "Conv" or "BatchNormalization" or "Gemm" or "LayerNormalization" || (node.OpType == "MatMul" && node.Input.IndexOf(input) == 1)
        || (node.OpType is "Reshape" or "Squeeze" or "Unsqueeze" or "Pad" or "Clip" or "Gather" && node.Input.IndexOf(input) >= 1);

    /// <summary>
    /// Runs <paramref name="op"/> once the tensors it plans are within <paramref name="budget"/>; torch's own
    /// errors (shapes that do not fit, indexes out of range) become an <see cref="OnnxImportException"/> that
    /// names the node and its inputs.
    /// </summary>
    private static Tensor RunChecked(OnnxOp op, OnnxValues values, long budget, Tensor input)
    {
        try
        {
            foreach (var shape in op.PlannedShapes(values))
            {
                if (OnnxLimits.Product(shape) > budget)
                {
                    throw new OnnxImportException(
                        $"The {op.Node.OpType} node '{op.Name}' would make a {OnnxLimits.Format(shape)} tensor ({OnnxLimits.Product(shape):N0} values) from the graph input {OnnxLimits.Format(input.shape)}; "
                        + $"ModelGen allows an imported graph at most {budget:N0} values per tensor ({OnnxLimits.ExpansionFactor} times its input's, and at least {OnnxLimits.MinimumBudget:N0}). "
                        + "Check the node's attributes and constant inputs (pads, kernel_shape, strides, shapes, indexes).");
                }
            }

            return op.Run(values);
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
        {
            var inputs = op.Node.Input.Where(i => i.Length > 0).Select(i => $"'{i}' {Describe(values, i)}");
            throw new OnnxImportException($"The {op.Node.OpType} node '{op.Name}' cannot run on its inputs ({string.Join(", ", inputs)}): {FirstLine(e.Message)}", e);
        }
    }

    private static string Describe(OnnxValues values, string name)
    {
        try
        {
            return OnnxLimits.Format(values[name].shape);
        }
        catch (OnnxImportException)
        {
            return "(not computed)";
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>
    /// Creates the op of <paramref name="node"/>; whatever its tensors or attributes make torch or the
    /// protobuf reader throw becomes an <see cref="OnnxImportException"/> that names the node.
    /// </summary>
    private OnnxOp CreateChecked(NodeProto node, OnnxBuildContext context)
    {
        try
        {
            return Create(node, context);
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException or InvalidCastException)
        {
            throw new OnnxImportException($"The {node.OpType} node '{node.Name}' cannot be imported: {FirstLine(e.Message)}", e);
        }
    }

    private OnnxOp Create(NodeProto node, OnnxBuildContext context)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            throw new OnnxImportException($"The node '{node.Name}' uses the custom operator domain '{node.Domain}' ({node.OpType}); ModelGen imports standard ONNX operators only.");
        }

        return node.OpType switch
        {
            "Conv" => new ConvOp(node, context),
            "BatchNormalization" => new BatchNormOp(node, context),
            "Gemm" => new LinearOp(node, context),
            "MatMul" when context.IsInitializer(node.Input[1]) => new LinearOp(node, context),
            "MatMul" => new MatMulOp(node),
            "Relu" or "LeakyRelu" or "Sigmoid" or "Tanh" or "Elu" or "Clip" or "HardSigmoid" or "HardSwish" or "Softmax" => new ActivationOp(node, context),
            "MaxPool" or "AveragePool" => new PoolOp(node),
            "GlobalAveragePool" or "GlobalMaxPool" => new GlobalPoolOp(node),
            "Add" or "Sub" or "Mul" or "Div" => new BinaryOp(node),
            "Concat" or "Flatten" or "Reshape" or "Transpose" or "Squeeze" or "Unsqueeze" or "Pad" or "Constant" => new ShapeOp(node, context, Constant),
            "Identity" or "Dropout" => new IdentityOp(node),
            "Gather" => new GatherOp(node, context),
            "Erf" => new ErfOp(node),
            "Shape" => new ShapeOfOp(node),
            "LayerNormalization" => new LayerNormOp(node, context),
            _ => throw new OnnxImportException(
                $"The ONNX operator '{node.OpType}' (node '{node.Name}') is not supported; ModelGen imports {string.Join(", ", SupportedOperators)}. "
                + "Cut the graph before it with truncate_at, or export the model without it."),
        };
    }

    private Tensor Constant(TensorProto proto)
    {
        var name = "constant_" + _constants.Count;
        var value = OnnxTensors.ToTensor(proto);
        _constants[name] = value;
        return value;
    }

    private void RegisterModules(OnnxNaming naming)
    {
        var owned = _ops.Where(op => op.Module is not null)
            .Select((op, index) => (Path: naming.ModulePath(op.Node.Name) ?? OnnxNaming.Sanitize(op.Name), op.Module!, Index: index))
            .OrderBy(m => naming.Order(m.Path) ?? int.MaxValue)
            .ThenBy(m => m.Index)
            .ToList();
        var containers = new Dictionary<string, nn.Module>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, module, _) in owned)
        {
            var unique = path;
            for (var i = 2; !used.Add(unique); i++)
            {
                unique = path + "_" + i;
            }

            var parts = unique.Split('.');
            nn.Module? parent = null;
            for (var depth = 0; depth < parts.Length - 1; depth++)
            {
                var prefix = string.Join(".", parts.Take(depth + 1));
                if (!containers.TryGetValue(prefix, out var container))
                {
                    container = new OnnxContainer(prefix);
                    containers[prefix] = container;
                    Attach(parent, parts[depth], container);
                }

                parent = container;
            }

            Attach(parent, parts[^1], module);
        }
    }

    private void Attach(nn.Module? parent, string name, nn.Module module)
    {
        if (parent is null)
        {
            register_module(name, module);
            _children.Add((name, module));
        }
        else
        {
            parent.register_module(name, module);
        }
    }

    private void RegisterConstants()
    {
        if (_constants.Count == 0)
        {
            return;
        }

        var container = new OnnxContainer("constants");
        foreach (var (name, value) in _constants)
        {
            var buffer = OnnxNaming.Sanitize(name);
            for (var i = 2; _constantBuffers.ContainsValue(buffer); i++)
            {
                buffer = OnnxNaming.Sanitize(name) + "_" + i;
            }

            container.register_buffer(buffer, value);
            _constantBuffers[name] = buffer;
        }

        _constantContainer = container;
        register_module("constants", container);
        _children.Add(("constants", container));
    }

    /// <summary>A named group of layers (layer1, layer1.0, ...).</summary>
    private sealed class OnnxContainer(string name) : nn.Module(name)
    {
    }
}

/// <summary>
/// Gather with constant indexes along one axis: a list (channel reordering such as RGB to BGR) or a single
/// index, which drops the axis (a token or channel picked out).
/// </summary>
internal sealed class GatherOp : OnnxOp
{
    public GatherOp(NodeProto node, OnnxBuildContext context)
        : base(node)
    {
        Axis = new OnnxAttributes(node).Int("axis", 0);
        Indexes = context.ConstantLongs(node, 1) ?? throw new OnnxImportException($"The Gather node '{Name}' has no indexes.");
        var rank = context.ConstantRank(node, 1);
        if (rank > 1)
        {
            throw new OnnxImportException($"The Gather node '{Name}' has {rank}-D indexes; ModelGen imports Gather with a single index or a list of indexes.");
        }

        SingleIndex = rank == 0;
    }

    /// <summary>The axis indexed along.</summary>
    public long Axis { get; }

    /// <summary>The constant indexes, as the node gave them (negative ones count from the end).</summary>
    public long[] Indexes { get; }

    /// <summary>Whether the indexes were a single value, which drops the axis.</summary>
    public bool SingleIndex { get; }

    // The input with the axis replaced by as many entries as there are indexes.
    public override IEnumerable<long[]> PlannedShapes(OnnxValues values)
    {
        var x = values.Input(this, 0);
        var shape = x.shape.ToArray();
        shape[Position(x)] = Indexes.Length;
        return [shape];
    }

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];

        // ONNX counts negative indexes from the end of the axis; index_select does not.
        var size = x.shape[Position(x)];
        if (Indexes.Where(i => i < -size || i >= size).Select(i => (long?)i).FirstOrDefault() is { } wrong)
        {
            throw new OnnxImportException($"The Gather node '{Name}' has the index {wrong} for an axis of {size}; indexes must be from {-size} to {size - 1}.");
        }

        using var indexes = tensor(Indexes.Select(i => i < 0 ? i + size : i).ToArray(), device: x.device);
        var picked = x.index_select(Axis, indexes);
        return SingleIndex ? picked.squeeze(Axis) : picked;
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);

    private int Position(Tensor x) => Axis >= -x.dim() && Axis < x.dim()
        ? (int)(Axis < 0 ? Axis + x.dim() : Axis)
        : throw new OnnxImportException($"The Gather node '{Name}' has axis = {Axis}; for its {OnnxLimits.Format(x.shape)} input it must be from {-x.dim()} to {x.dim() - 1}.");
}

/// <summary>The error function (GELU is written with it in opset 17).</summary>
internal sealed class ErfOp(NodeProto node) : OnnxOp(node)
{
    public override Tensor Run(OnnxValues values) => values[Node.Input[0]].erf();

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>MatMul of two computed values.</summary>
internal sealed class MatMulOp(NodeProto node) : OnnxOp(node)
{
    // [..., n, k] x [..., k, m] gives [..., n, m], the leading dimensions broadcast.
    public override IEnumerable<long[]> PlannedShapes(OnnxValues values)
    {
        var a = values.Input(this, 0).shape;
        var b = values.Input(this, 1).shape;
        if (a.Length < 2 || b.Length < 2)
        {
            return [];
        }

        return [[.. OnnxLimits.Broadcast(a[..^2], b[..^2]), a[^2], b[^1]]];
    }

    public override Tensor Run(OnnxValues values) => values[Node.Input[0]].matmul(values[Node.Input[1]]);

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>The shape of a value as an int64 tensor (read by a Reshape with a computed shape).</summary>
internal sealed class ShapeOfOp(NodeProto node) : OnnxOp(node)
{
    // On the value's device, like the graph's constants, so that shape arithmetic never mixes devices.
    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        return tensor(x.shape, device: x.device);
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}
