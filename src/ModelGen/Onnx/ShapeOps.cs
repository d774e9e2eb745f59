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

    /// <summary>Pad's mode (constant, reflect or edge).</summary>
    public string PadMode { get; private set; } = "constant";

    /// <summary>Pad's constant value.</summary>
    public float PadValue { get; private set; }

    public override Tensor Run(OnnxValues values) => _function(values);

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);

    private Func<OnnxValues, Tensor> Concat(long axis) => values => cat(Node.Input.Where(i => i.Length > 0).Select(i => values[i]).ToList(), axis);

    private Func<OnnxValues, Tensor> Flatten(long axis) => values =>
    {
        var x = values[Node.Input[0]];
        var position = axis < 0 ? axis + x.dim() : axis;
        var outer = x.shape.Take((int)position).Aggregate(1L, (p, d) => p * d);
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
            if (pads.Length != 2 * rank)
            {
                throw new OnnxImportException($"The Pad node '{Name}' has {pads.Length} pads for a {rank}-D input.");
            }

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

    private static Func<OnnxValues, Tensor> Constant(NodeProto node, OnnxAttributes a, Func<TensorProto, Tensor> constant)
    {
        var proto = a.Tensor("value") ?? throw new OnnxImportException($"The Constant node '{node.Name}' has no tensor value.");
        var value = constant(proto);
        return _ => value.alias();
    }
}
