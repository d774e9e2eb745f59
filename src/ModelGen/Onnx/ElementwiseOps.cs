using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>Activations: Relu, LeakyRelu, Sigmoid, Tanh, Elu, Clip (ReLU6), HardSigmoid, HardSwish, Softmax.</summary>
internal sealed class ActivationOp : OnnxOp
{
    private readonly Func<Tensor, Tensor> _function;

    public ActivationOp(NodeProto node, OnnxBuildContext context)
        : base(node)
    {
        var a = new OnnxAttributes(node);
        Opset = context.Opset;
        _function = node.OpType switch
        {
            "Relu" => x => nn.functional.relu(x),
            "LeakyRelu" => Leaky(a.Float("alpha", 0.01f)),
            "Sigmoid" => x => x.sigmoid(),
            "Tanh" => x => x.tanh(),
            "Elu" => Elu(a.Float("alpha", 1f)),
            "HardSigmoid" => HardSigmoid(a.Float("alpha", 0.2f), a.Float("beta", 0.5f)),
            "HardSwish" => x => x * (x / 6 + 0.5).clamp(0, 1),
            "Clip" => Clip(node, a, context),
            "Softmax" => Softmax(a.Int("axis", context.Opset >= 13 ? -1 : 1), context.Opset >= 13),
            _ => throw new OnnxImportException($"'{node.OpType}' is not an activation."),
        };
    }

    /// <summary>The opset the graph was imported with (Softmax before 13 flattens at its axis).</summary>
    public long Opset { get; }

    /// <summary>Clip's bounds, from its attributes or its constant inputs.</summary>
    public (double Min, double Max) Bounds { get; private set; }

    public override Tensor Run(OnnxValues values) => _function(values[Node.Input[0]]);

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);

    private static Func<Tensor, Tensor> Leaky(float alpha) => x => nn.functional.leaky_relu(x, alpha);

    private static Func<Tensor, Tensor> Elu(float alpha) => x => nn.functional.elu(x, alpha);

    private static Func<Tensor, Tensor> HardSigmoid(float alpha, float beta) => x => (x * alpha + beta).clamp(0, 1);

    private Func<Tensor, Tensor> Clip(NodeProto node, OnnxAttributes a, OnnxBuildContext context)
    {
        // Opset 11 moved min and max from attributes to (constant) inputs.
        double min = a.Float("min", float.NegativeInfinity), max = a.Float("max", float.PositiveInfinity);
        if (context.ConstantFloat(node, 1) is { } low)
        {
            min = low;
        }

        if (context.ConstantFloat(node, 2) is { } high)
        {
            max = high;
        }

        Bounds = (min, max);
        return x => x.clamp(min, max);
    }

    private static Func<Tensor, Tensor> Softmax(long axis, bool alongAxis) => x =>
    {
        if (alongAxis)
        {
            return nn.functional.softmax(x, axis);
        }

        // Before opset 13: flatten to 2-D at the axis, softmax over the second part.
        var position = axis < 0 ? axis + x.dim() : axis;
        if (position < 0 || position > x.dim())
        {
            throw new OnnxImportException($"The Softmax node has axis = {axis}; for its {x.dim()}-D input it must be from {-x.dim()} to {x.dim()}.");
        }

        var shape = x.shape;
        var flat = x.reshape(shape.Take((int)position).Aggregate(1L, (p, d) => p * d), -1);
        return nn.functional.softmax(flat, 1).reshape(shape);
    };
}

/// <summary>Add, Sub, Mul, Div with NumPy broadcasting (as torch broadcasts).</summary>
internal sealed class BinaryOp(NodeProto node) : OnnxOp(node)
{
    public override IEnumerable<long[]> PlannedShapes(OnnxValues values) => [OnnxLimits.Broadcast(values.Input(this, 0).shape, values.Input(this, 1).shape)];

    public override Tensor Run(OnnxValues values)
    {
        var a = values[Node.Input[0]];
        var b = values[Node.Input[1]];
        return Node.OpType switch
        {
            "Add" => a + b,
            "Sub" => a - b,
            "Mul" => a * b,
            _ => a / b,
        };
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Identity, and Dropout (identity: imported graphs run as feature extractors).</summary>
internal sealed class IdentityOp(NodeProto node) : OnnxOp(node)
{
    public override Tensor Run(OnnxValues values) => values[Node.Input[0]].alias();

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}
