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

        // Every size comes from the weight, which the file backs; the attributes may only repeat it.
        var weightKernel = new[] { weight.shape[2], weight.shape[3] };
        Kernel = attributes.Ints("kernel_shape", weightKernel, 2, 1, OnnxLimits.MaxExtent)!;
        if (!Kernel.SequenceEqual(weightKernel))
        {
            throw new OnnxImportException(
                $"The Conv node '{Name}' has kernel_shape = [{string.Join(", ", Kernel)}] but its weights are {OnnxLimits.Format(weight.shape)}; "
                + $"kernel_shape must be the weights' last two dimensions, [{string.Join(", ", weightKernel)}].");
        }

        var groups = attributes.Int("group", 1, 1, weight.shape[0]);
        if (weight.shape[0] % groups != 0)
        {
            throw new OnnxImportException($"The Conv node '{Name}' has group = {groups}, which does not divide its {weight.shape[0]} output channels; group must divide them.");
        }

        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != weight.shape[0]))
        {
            throw new OnnxImportException($"The Conv node '{Name}' has a bias of shape {OnnxLimits.Format(bias.shape)} for {weight.shape[0]} output channels; it must be {weight.shape[0]} values.");
        }

        Strides = attributes.Ints("strides", [1, 1], 2, 1, OnnxLimits.MaxExtent)!;
        Dilations = attributes.Ints("dilations", [1, 1], 2, 1, OnnxLimits.MaxExtent)!;
        Pads = attributes.Ints("pads", [0, 0, 0, 0], 4, 0, OnnxLimits.MaxExtent)!;
        AutoPad = attributes.String("auto_pad", "NOTSET");
        if (AutoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID"))
        {
            throw new OnnxImportException($"The Conv node '{Name}' has auto_pad = '{AutoPad}'; it must be NOTSET, SAME_UPPER, SAME_LOWER or VALID.");
        }

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

    public override IEnumerable<long[]> PlannedShapes(OnnxValues values)
    {
        var x = values.Input(this, 0, rank: 4);
        var pads = EffectivePads(x);
        long[] padded = [x.shape[0], x.shape[1], x.shape[2] + pads[0] + pads[2], x.shape[3] + pads[1] + pads[3]];
        return [padded, [x.shape[0], _conv.weight!.shape[0], Extent(padded[2], 0), Extent(padded[3], 1)]];
    }

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        if (!IsSymmetric)
        {
            var pads = EffectivePads(x);
            x = nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]]);
        }

        return _conv.forward(x);
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);

    private long[] EffectivePads(Tensor x) => AutoPad switch
    {
        "SAME_UPPER" or "SAME_LOWER" => OnnxPadding.Same(x, Kernel, Strides, Dilations, upper: AutoPad == "SAME_UPPER"),
        "VALID" => [0, 0, 0, 0],
        _ => Pads,
    };

    // The output extent along a padded axis (at least 0: a kernel wider than the input is torch's error to report).
    private long Extent(long padded, int axis) => Math.Max(0, ((padded - (Dilations[axis] * (Kernel[axis] - 1)) - 1) / Strides[axis]) + 1);
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

        foreach (var (tensor, role) in new[] { (scale, "scale"), (bias, "bias"), (mean, "mean"), (variance, "variance") })
        {
            if (tensor.dim() != 1 || tensor.shape[0] != scale.shape[0])
            {
                throw new OnnxImportException(
                    $"The BatchNormalization node '{Name}' has a {role} of shape {OnnxLimits.Format(tensor.shape)}; scale, bias, mean and variance must each be one value per channel ({scale.shape[0]}).");
            }
        }

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
        if (c is not null && c.numel() != 1 && c.numel() != weight.shape[0])
        {
            throw new OnnxImportException($"The {node.OpType} node '{Name}' has a bias of shape {OnnxLimits.Format(c.shape)} for {weight.shape[0]} outputs; it must be one value or {weight.shape[0]}.");
        }

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

    // The input with its last dimension (its first, with transA) replaced by the outputs.
    public override IEnumerable<long[]> PlannedShapes(OnnxValues values)
    {
        var x = values.Input(this, 0);
        var shape = TransposeInput ? x.shape.Reverse().ToArray() : x.shape.ToArray();
        if (shape.Length > 0)
        {
            shape[^1] = _linear.weight!.shape[0];
        }

        return [shape];
    }

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        return _linear.forward(TransposeInput ? x.t() : x);
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}
