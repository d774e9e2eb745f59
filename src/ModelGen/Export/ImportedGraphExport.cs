using ModelGen.Onnx;

namespace ModelGen.Export;

/// <summary>
/// Writes an imported ONNX graph (<see cref="OnnxGraphModule"/>) in opset 17 with its current weights: it
/// visits the graph's ops in run order and writes each as the nodes that compute the same in opset 17.
/// The ops know nothing of this: they show what they were imported as, and the export decides.
/// </summary>
internal sealed class ImportedGraphExport : IOnnxOpVisitor<string>
{
    private readonly OnnxWriter _writer;
    private readonly OnnxGraphModule _graph;

    // The new graph's name for each value of the imported one.
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    private ImportedGraphExport(OnnxWriter writer, OnnxGraphModule graph, string input)
    {
        _writer = writer;
        _graph = graph;
        _names[graph.InputName] = input;
    }

    /// <summary>Writes <paramref name="graph"/> reading the value <paramref name="input"/>; returns the name of its output.</summary>
    public static string Write(OnnxWriter writer, OnnxGraphModule graph, string input)
    {
        var export = new ImportedGraphExport(writer, graph, input);
        foreach (var op in graph.Ops)
        {
            export._names[op.Node.Output[0]] = op.Accept(export);
        }

        return export._names[graph.Output];
    }

    /// <inheritdoc />
    public string Visit(ConvOp op)
    {
        var inputs = _writer.WithWeights(Input(op), op.Name, op.Conv.weight!, op.Conv.bias);
        var group = op.Conv.groups;
        return op.AutoPad is "SAME_UPPER" or "SAME_LOWER" or "VALID"
            ? _writer.Node("Conv", op.Name, inputs, ("kernel_shape", op.Kernel), ("strides", op.Strides), ("dilations", op.Dilations), ("group", group), ("auto_pad", op.AutoPad))
            : _writer.Node("Conv", op.Name, inputs, ("kernel_shape", op.Kernel), ("strides", op.Strides), ("dilations", op.Dilations), ("group", group), ("pads", op.Pads));
    }

    /// <inheritdoc />
    public string Visit(BatchNormOp op) => OnnxExporter.BatchNorm(_writer, op.Norm, op.Name, Input(op));

    /// <inheritdoc />
    public string Visit(LayerNormOp op)
    {
        var inputs = new List<string> { Input(op), _writer.Initializer(op.Name + ".weight", op.Norm.weight!) };
        if (op.Norm.bias is { } bias)
        {
            inputs.Add(_writer.Initializer(op.Name + ".bias", bias));
        }

        return _writer.Node("LayerNormalization", op.Name, inputs, ("axis", -1L), ("epsilon", (float)op.Norm.eps));
    }

    /// <inheritdoc />
    public string Visit(LinearOp op) =>
        _writer.Node("Gemm", op.Name, _writer.WithWeights(Input(op), op.Name, op.Linear.weight!, op.Linear.bias), ("transA", op.TransposeInput ? 1L : 0L), ("transB", 1L));

    /// <inheritdoc />
    public string Visit(MatMulOp op) => AsImported(op);

    /// <inheritdoc />
    public string Visit(ActivationOp op)
    {
        var x = Input(op);
        switch (op.Node.OpType)
        {
            case "Clip":
                return _writer.Node("Clip", op.Name, [x, _writer.Scalar(op.Name + ".min", (float)op.Bounds.Min), _writer.Scalar(op.Name + ".max", (float)op.Bounds.Max)]);
            case "Softmax" when op.Opset < 13:
                {
                    // Before opset 13 Softmax flattened at the axis; keep that meaning in opset 17.
                    var axis = new OnnxAttributes(op.Node).Int("axis", 1);
                    var shape = _writer.Node("Shape", op.Name + ".shape", [x]);
                    var flat = _writer.Node("Flatten", op.Name + ".flat", [x], ("axis", axis));
                    var soft = _writer.Node("Softmax", op.Name + ".softmax", [flat], ("axis", 1L));
                    return _writer.Node("Reshape", op.Name, [soft, shape]);
                }

            default:
                return _writer.Copy(op.Node, op.Name, [x]);
        }
    }

    /// <inheritdoc />
    public string Visit(ErfOp op) => AsImported(op);

    /// <inheritdoc />
    public string Visit(BinaryOp op) => AsImported(op);

    /// <inheritdoc />
    public string Visit(IdentityOp op) => _writer.Node("Identity", op.Name, [Input(op)]);

    /// <inheritdoc />
    public string Visit(ShapeOp op)
    {
        // The constants the op read are written as inputs, as opset 17 takes them.
        var node = op.Node;
        var x = node.Input.Count > 0 ? Value(node.Input[0]) : "";
        return node.OpType switch
        {
            "Reshape" => _writer.Node("Reshape", op.Name, [x, op.Longs is null ? Value(node.Input[1]) : _writer.Longs(op.Name + ".shape", op.Longs)]),
            "Squeeze" => op.Longs is null ? _writer.Node("Squeeze", op.Name, [x]) : _writer.Node("Squeeze", op.Name, [x, _writer.Longs(op.Name + ".axes", op.Longs)]),
            "Unsqueeze" => _writer.Node("Unsqueeze", op.Name, [x, _writer.Longs(op.Name + ".axes", op.Longs!)]),
            "Pad" => _writer.Node("Pad", op.Name, [x, _writer.Longs(op.Name + ".pads", op.Longs!), _writer.Scalar(op.Name + ".value", op.PadValue)], ("mode", op.PadMode)),
            "Concat" => _writer.Copy(node, op.Name, node.Input.Where(i => i.Length > 0).Select(Value)),
            _ => _writer.Copy(node, op.Name, node.Input.Select(Value)),
        };
    }

    /// <inheritdoc />
    public string Visit(ShapeOfOp op) => AsImported(op);

    /// <inheritdoc />
    public string Visit(GatherOp op)
    {
        // The writer's indexes are a list; a single index is written as a list of one and its axis squeezed.
        var picked = _writer.Node("Gather", op.SingleIndex ? op.Name + ".picked" : op.Name, [Input(op), _writer.Longs(op.Name + ".indexes", op.Indexes)], ("axis", op.Axis));
        return op.SingleIndex ? _writer.Node("Squeeze", op.Name, [picked, _writer.Longs(op.Name + ".axis", op.Axis)]) : picked;
    }

    /// <inheritdoc />
    public string Visit(PoolOp op) => AsImported(op);

    /// <inheritdoc />
    public string Visit(GlobalPoolOp op) => AsImported(op);

    // An op whose opset-17 form is the node as imported, with its inputs renamed.
    private string AsImported(OnnxOp op) => _writer.Copy(op.Node, OnnxNames.Of(op.Name), op.Node.Input.Select(Value));

    private string Input(OnnxOp op) => Value(op.Node.Input[0]);

    // An earlier op's output, or a constant of the graph, written once as an initializer with its current
    // value (it moved with the module, if it did). An empty name is an omitted optional input.
    private string Value(string name)
    {
        if (name.Length == 0)
        {
            return "";
        }

        return _names.TryGetValue(name, out var mapped)
            ? mapped
            : _names[name] = _writer.Initializer(OnnxNaming.Sanitize(name), _graph.ConstantValue(name));
    }
}
