using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>Concat, Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Pad and Constant.</summary>
internal sealed class ShapeOp : OnnxOp
{
    private readonly Func<OnnxValues, Tensor> _function;

    public ShapeOp(NodeProto node, OnnxBuildContext context, Func<TensorProto, Tensor> constant)
        : base(node)
    {
        var a = new OnnxAttributes(node);
        _function = node.OpType switch
        {
            "Concat" => Concat(a.Int("axis", 1)),
            "Flatten" => Flatten(a.Int("axis", 1)),
            "Reshape" => Reshape(node, a, context),
            "Transpose" => Transpose(a.Ints("perm")),
            "Squeeze" => Squeeze(Longs = a.Ints("axes") ?? context.ConstantLongs(node, 1)),
            "Unsqueeze" => Unsqueeze(Longs = a.Ints("axes") ?? context.ConstantLongs(node, 1) ?? throw new OnnxImportException($"The Unsqueeze node '{Name}' has no axes.")),
            "Pad" => Pad(node, a, context),
            "Constant" => Constant(node, a, constant),
            _ => throw new OnnxImportException($"'{node.OpType}' is not a shape operator."),
        };
    }

    /// <summary>Reshape's shape, Squeeze's or Unsqueeze's axes, or Pad's pads, when the node read them as constants.</summary>
    public long[]? Longs { get; private set; }

    /// <summary>Concat's axis.</summary>
    public long Axis { get; private set; }

    /// <summary>Pad's mode (constant, reflect or edge).</summary>
    public string PadMode { get; private set; } = "constant";

    /// <summary>Pad's constant value.</summary>
    public float PadValue { get; private set; }

    public override IEnumerable<long[]> PlannedShapes(OnnxValues values) => Node.OpType switch
    {
        "Concat" => [ConcatShape(values)],
        "Pad" => [PaddedShape(values)],
        _ => [],
    };

    public override Tensor Run(OnnxValues values) => _function(values);

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);

    private Func<OnnxValues, Tensor> Concat(long axis)
    {
        Axis = axis;
        return values => cat(Node.Input.Where(i => i.Length > 0).Select(i => values[i]).ToList(), axis);
    }

    // The concatenation of the inputs: sizes add up along the axis.
    private long[] ConcatShape(OnnxValues values)
    {
        var inputs = Node.Input.Where(i => i.Length > 0).Select(i => values[i]).ToList();
        if (inputs.Count == 0)
        {
            throw new OnnxImportException($"The Concat node '{Name}' has no inputs.");
        }

        var shape = inputs[0].shape.ToArray();
        var axis = Position(Axis, shape.Length, "axis");
        shape[axis] = inputs.Sum(x => x.dim() == shape.Length ? x.shape[axis] : 0);
        return shape;
    }

    private Func<OnnxValues, Tensor> Flatten(long axis) => values =>
    {
        var x = values[Node.Input[0]];
        var position = Position(axis, (int)x.dim() + 1, "axis");
        var outer = x.shape.Take(position).Aggregate(1L, (p, d) => p * d);
        return x.reshape(outer, -1);
    };

    private Func<OnnxValues, Tensor> Reshape(NodeProto node, OnnxAttributes a, OnnxBuildContext context)
    {
        // A computed shape (Shape of another value, as in ModelGen's own export of opset-11 Softmax) is read when the node runs.
        var computed = a.Ints("shape") is null && node.Input.Count > 1 && node.Input[1].Length > 0 && !context.IsInitializer(node.Input[1]);
        var shape = computed ? null : Longs = a.Ints("shape") ?? context.ConstantLongs(node, 1) ?? throw new OnnxImportException($"The Reshape node '{Name}' has no shape.");
        return values =>
        {
            var x = values[Node.Input[0]];
            var requested = shape ?? values[Node.Input[1]].cpu().data<long>().ToArray();

            // ONNX: 0 copies the input's dimension at that position; -1 is inferred.
            if (requested.Count(d => d == -1) > 1 || requested.Any(d => d < -1) || requested.Select((d, i) => d == 0 && i >= x.dim()).Any(copied => copied))
            {
                throw new OnnxImportException(
                    $"The Reshape node '{Name}' asks for shape [{string.Join(", ", requested)}] of its {OnnxLimits.Format(x.shape)} input; "
                    + "each value must be a size, 0 (copy the input's, within its rank) or a single -1 (inferred).");
            }

            var target = requested.Select((d, i) => d == 0 ? x.shape[i] : d).ToArray();
            return x.reshape(target);
        };
    }

    private Func<OnnxValues, Tensor> Transpose(long[]? perm) => values =>
    {
        var x = values[Node.Input[0]];
        return x.permute(perm ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray());
    };

    private Func<OnnxValues, Tensor> Squeeze(long[]? axes) => values =>
    {
        var x = values[Node.Input[0]];
        if (axes is null)
        {
            return x.squeeze();
        }

        var result = x;
        foreach (var axis in axes.Select(a => a < 0 ? a + x.dim() : a).OrderDescending())
        {
            result = result.squeeze(axis);
        }

        return result;
    };

    private Func<OnnxValues, Tensor> Unsqueeze(long[] axes) => values =>
    {
        var result = values[Node.Input[0]];
        var rank = result.dim() + axes.Length;
        foreach (var axis in axes.Select(a => a < 0 ? a + rank : a).Order())
        {
            result = result.unsqueeze(axis);
        }

        return result;
    };

    private Func<OnnxValues, Tensor> Pad(NodeProto node, OnnxAttributes a, OnnxBuildContext context)
    {
        var mode = PadMode = a.String("mode", "constant");
        var pads = Longs = a.Ints("pads") ?? context.ConstantLongs(node, 1) ?? throw new OnnxImportException($"The Pad node '{Name}' has no pads.");
        if (pads.Any(p => Math.Abs(p) > OnnxLimits.MaxExtent))
        {
            throw new OnnxImportException($"The Pad node '{Name}' has pads = [{string.Join(", ", pads)}]; each pad must be from {-OnnxLimits.MaxExtent:N0} to {OnnxLimits.MaxExtent:N0}.");
        }

        var value = PadValue = context.ConstantFloat(node, 2) ?? a.Float("value", 0f);
        var paddingMode = mode switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            _ => throw new OnnxImportException($"The Pad node '{Name}' uses mode '{mode}'; ModelGen imports constant, reflect and edge."),
        };
        return values =>
        {
            var x = values[Node.Input[0]];
            var rank = (int)x.dim();

            // ONNX lists all begins then all ends; torch wants (begin, end) pairs from the last axis backwards.
            var torchPads = Enumerable.Range(0, rank).Reverse().SelectMany(d => new[] { pads[d], pads[d + rank] }).ToList();

            // Reflect and replicate pad only the spatial axes: drop the zero pads of the leading ones.
            while (paddingMode != PaddingModes.Constant && torchPads.Count > 4 && torchPads[^1] == 0 && torchPads[^2] == 0)
            {
                torchPads.RemoveRange(torchPads.Count - 2, 2);
            }

            return nn.functional.pad(x, torchPads.ToArray(), paddingMode, value);
        };
    }

    // The padded input: each axis grows by its begin and end pads (negative pads crop).
    private long[] PaddedShape(OnnxValues values)
    {
        var x = values.Input(this, 0);
        var pads = Longs!;
        var rank = (int)x.dim();
        if (pads.Length != 2 * rank)
        {
            throw new OnnxImportException($"The Pad node '{Name}' has {pads.Length} pads for a {rank}-D input ({OnnxLimits.Format(x.shape)}); it needs {2 * rank}, all begins then all ends.");
        }

        return x.shape.Select((size, axis) => size + pads[axis] + pads[axis + rank]).ToArray();
    }

    // An axis attribute as a position in [0, rank), counting negative values from the end.
    private int Position(long axis, int rank, string attribute)
    {
        if (axis < -rank || axis >= rank)
        {
            throw new OnnxImportException($"The {Node.OpType} node '{Name}' has {attribute} = {axis}; for its {rank - (Node.OpType == "Flatten" ? 1 : 0)}-D input it must be from {-rank} to {rank - 1}.");
        }

        return (int)(axis < 0 ? axis + rank : axis);
    }

    private static Func<OnnxValues, Tensor> Constant(NodeProto node, OnnxAttributes a, Func<TensorProto, Tensor> constant)
    {
        var proto = a.Tensor("value") ?? throw new OnnxImportException($"The Constant node '{node.Name}' has no tensor value.");
        var value = constant(proto);
        return _ => value.alias();
    }
}
