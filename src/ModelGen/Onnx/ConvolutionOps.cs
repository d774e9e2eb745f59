using ModelGen.Export;
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
    private readonly long[] _pads;
    private readonly long[] _kernel;
    private readonly long[] _strides;
    private readonly long[] _dilations;
    private readonly string _autoPad;

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
        _kernel = attributes.Ints("kernel_shape") ?? [weight.shape[2], weight.shape[3]];
        _strides = attributes.Ints("strides") ?? [1, 1];
        _dilations = attributes.Ints("dilations") ?? [1, 1];
        _pads = attributes.Ints("pads") ?? [0, 0, 0, 0];
        _autoPad = attributes.String("auto_pad", "NOTSET");
        var symmetric = _autoPad is "NOTSET" && _pads[0] == _pads[2] && _pads[1] == _pads[3];
        _conv = nn.Conv2d(
            weight.shape[1] * groups,
            weight.shape[0],
            (_kernel[0], _kernel[1]),
            stride: (_strides[0], _strides[1]),
            padding: symmetric ? (_pads[0], _pads[1]) : (0, 0),
            dilation: (_dilations[0], _dilations[1]),
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

    public override nn.Module Module => _conv;

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        if (!IsSymmetric)
        {
            var pads = _autoPad is "SAME_UPPER" or "SAME_LOWER"
                ? OnnxPadding.Same(x, _kernel, _strides, _dilations, upper: _autoPad == "SAME_UPPER")
                : _autoPad == "VALID" ? [0, 0, 0, 0] : _pads;
            x = nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]]);
        }

        return _conv.forward(x);
    }

    public override string Export(OnnxWriter writer, Func<string, string> value)
    {
        var inputs = writer.WithWeights(value(Node.Input[0]), Name, _conv.weight!, _conv.bias);
        var group = _conv.groups;
        return _autoPad is "SAME_UPPER" or "SAME_LOWER" or "VALID"
            ? writer.Node("Conv", Name, inputs, ("kernel_shape", _kernel), ("strides", _strides), ("dilations", _dilations), ("group", group), ("auto_pad", _autoPad))
            : writer.Node("Conv", Name, inputs, ("kernel_shape", _kernel), ("strides", _strides), ("dilations", _dilations), ("group", group), ("pads", _pads));
    }
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

    public override nn.Module Module => _norm;

    public override Tensor Run(OnnxValues values) => _norm.forward(values[Node.Input[0]]);

    public override string Export(OnnxWriter writer, Func<string, string> value) =>
        OnnxExporter.BatchNorm(writer, _norm, Name, value(Node.Input[0]));
}

/// <summary>Gemm (Y = alpha·A'·B' + beta·C) and MatMul with a constant right-hand side, as a Linear layer.</summary>
internal sealed class LinearOp : OnnxOp
{
    private readonly Linear _linear;
    private readonly bool _transposeInput;

    public LinearOp(NodeProto node, OnnxBuildContext context)
        : base(node)
    {
        var attributes = new OnnxAttributes(node);
        var gemm = node.OpType == "Gemm";
        var alpha = gemm ? attributes.Float("alpha", 1f) : 1f;
        var beta = gemm ? attributes.Float("beta", 1f) : 1f;
        _transposeInput = gemm && attributes.Int("transA", 0) != 0;
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

    public override nn.Module Module => _linear;

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        return _linear.forward(_transposeInput ? x.t() : x);
    }

    public override string Export(OnnxWriter writer, Func<string, string> value)
    {
        return writer.Node("Gemm", Name, writer.WithWeights(value(Node.Input[0]), Name, _linear.weight!, _linear.bias), ("transA", _transposeInput ? 1L : 0L), ("transB", 1L));
    }
}
