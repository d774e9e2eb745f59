using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>
/// Conv (2-D): groups, dilations, strides, and padding that may differ before and after (CNTK's "same"
/// padding pads only the top and left), or auto_pad SAME_UPPER/SAME_LOWER computed from the input size.
/// </summary>
internal sealed class ConvOp : OnnxOp
{
    private readonly Conv2d _conv;

    public ConvOp(NodeProto node, OnnxBuildContext context)
        : base(node)
    {
        var attributes = new OnnxAttributes(node);
        using var weight = context.Initializer(node, 1, "weights");
        using var bias = context.OptionalInitializer(node, 2, "bias");
        if (weight.dim() != 4)
        {
            throw new OnnxImportException($"The Conv node '{Name}' is {weight.dim() - 2}-D; ModelGen imports 2-D convolutions.");
        }

        var groups = attributes.Int("group", 1);
        Kernel = attributes.Ints("kernel_shape") ?? [weight.shape[2], weight.shape[3]];
        Strides = attributes.Ints("strides") ?? [1, 1];
        Dilations = attributes.Ints("dilations") ?? [1, 1];
        Pads = attributes.Ints("pads") ?? [0, 0, 0, 0];
        AutoPad = attributes.String("auto_pad", "NOTSET");
        var symmetric = AutoPad is "NOTSET" && Pads[0] == Pads[2] && Pads[1] == Pads[3];
        _conv = nn.Conv2d(
            weight.shape[1] * groups,
            weight.shape[0],
            (Kernel[0], Kernel[1]),
            stride: (Strides[0], Strides[1]),
            padding: symmetric ? (Pads[0], Pads[1]) : (0, 0),
            dilation: (Dilations[0], Dilations[1]),
            groups: groups,
            bias: bias is not null);
        IsSymmetric = symmetric;
        if (context.LoadWeights)
        {
            using (no_grad())
            {
                _conv.weight!.copy_(weight);
                _conv.bias?.copy_(bias!);
            }
        }
    }

    public bool IsSymmetric { get; }

    /// <summary>The convolution, with its current weights.</summary>
    public Conv2d Conv => _conv;

    /// <summary>kernel_shape as the node gave it (or the weight's).</summary>
    public long[] Kernel { get; }

    /// <summary>strides as the node gave them.</summary>
    public long[] Strides { get; }

    /// <summary>dilations as the node gave them.</summary>
    public long[] Dilations { get; }

    /// <summary>pads as the node gave them: all begins, then all ends.</summary>
    public long[] Pads { get; }

    /// <summary>auto_pad as the node gave it (NOTSET, SAME_UPPER, SAME_LOWER or VALID).</summary>
    public string AutoPad { get; }

    public override nn.Module Module => _conv;

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        if (!IsSymmetric)
        {
            var pads = AutoPad is "SAME_UPPER" or "SAME_LOWER"
                ? OnnxPadding.Same(x, Kernel, Strides, Dilations, upper: AutoPad == "SAME_UPPER")
                : AutoPad == "VALID" ? [0, 0, 0, 0] : Pads;
            x = nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]]);
        }

        return _conv.forward(x);
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>BatchNormalization in inference form (running statistics), trainable like torch's BatchNorm2d.</summary>
internal sealed class BatchNormOp : OnnxOp
{
    private readonly BatchNorm2d _norm;

    public BatchNormOp(NodeProto node, OnnxBuildContext context)
        : base(node)
    {
        var attributes = new OnnxAttributes(node);
        using var scale = context.Initializer(node, 1, "scale");
        using var bias = context.Initializer(node, 2, "bias");
        using var mean = context.Initializer(node, 3, "mean");
        using var variance = context.Initializer(node, 4, "variance");

        // ONNX: running = running * momentum + batch * (1 - momentum); torch's momentum is the other weight.
        _norm = nn.BatchNorm2d(scale.shape[0], eps: attributes.Float("epsilon", 1e-5f), momentum: 1 - attributes.Float("momentum", 0.9f));
        if (context.LoadWeights)
        {
            using (no_grad())
            {
                _norm.weight!.copy_(scale);
                _norm.bias!.copy_(bias);
                _norm.running_mean!.copy_(mean);
                _norm.running_var!.copy_(variance);
            }
        }
    }

    /// <summary>The batch norm, with its current weights and running statistics.</summary>
    public BatchNorm2d Norm => _norm;

    public override nn.Module Module => _norm;

    public override Tensor Run(OnnxValues values) => _norm.forward(values[Node.Input[0]]);

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}

/// <summary>Gemm (Y = alpha·A'·B' + beta·C) and MatMul with a constant right-hand side, as a Linear layer.</summary>
internal sealed class LinearOp : OnnxOp
{
    private readonly Linear _linear;

    public LinearOp(NodeProto node, OnnxBuildContext context)
        : base(node)
    {
        var attributes = new OnnxAttributes(node);
        var gemm = node.OpType == "Gemm";
        var alpha = gemm ? attributes.Float("alpha", 1f) : 1f;
        var beta = gemm ? attributes.Float("beta", 1f) : 1f;
        TransposeInput = gemm && attributes.Int("transA", 0) != 0;
        var transposeWeight = gemm && attributes.Int("transB", 0) != 0;
        using var b = context.Initializer(node, 1, "weights");
        using var c = gemm ? context.OptionalInitializer(node, 2, "bias") : null;
        if (b.dim() != 2)
        {
            throw new OnnxImportException($"The {node.OpType} node '{Name}' multiplies by a {b.dim()}-D tensor; ModelGen imports 2-D weights.");
        }

        // Linear keeps its weight as [out, in]; ONNX's B is [in, out] unless transB.
        using var weight = (transposeWeight ? b : b.t()) * alpha;
        _linear = nn.Linear(weight.shape[1], weight.shape[0], hasBias: c is not null);
        if (context.LoadWeights)
        {
            using (no_grad())
            {
                _linear.weight!.copy_(weight);
                if (c is not null)
                {
                    _linear.bias!.copy_((c * beta).reshape(-1).expand(weight.shape[0]));
                }
            }
        }
    }

    /// <summary>The linear layer ([out, in] weight, alpha and beta folded in), with its current weights.</summary>
    public Linear Linear => _linear;

    /// <summary>Whether the input is transposed first (Gemm's transA).</summary>
    public bool TransposeInput { get; }

    public override nn.Module Module => _linear;

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        return _linear.forward(TransposeInput ? x.t() : x);
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}
