using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Onnx;

/// <summary>MaxPool and AveragePool (2-D) with ONNX's padding rules, ceil mode, and count_include_pad.</summary>
internal sealed class PoolOp : OnnxOp
{
    private readonly bool _max;
    private readonly long[] _kernel;
    private readonly long[] _strides;
    private readonly long[] _pads;
    private readonly long[] _dilations;
    private readonly bool _ceil;
    private readonly bool _countPadding;
    private readonly string _autoPad;

    public PoolOp(NodeProto node)
        : base(node)
    {
        var attributes = new OnnxAttributes(node);
        _max = node.OpType == "MaxPool";
        var kernel = attributes.Ints("kernel_shape") ?? throw new OnnxImportException($"The {node.OpType} node '{Name}' has no kernel_shape.");
        if (kernel.Length != 2)
        {
            throw new OnnxImportException($"The {node.OpType} node '{Name}' is {kernel.Length}-D; ModelGen imports 2-D pooling.");
        }

        _kernel = attributes.Ints("kernel_shape", null, 2, 1, OnnxLimits.MaxExtent)!;
        _strides = attributes.Ints("strides", [1, 1], 2, 1, OnnxLimits.MaxExtent)!;
        _pads = attributes.Ints("pads", [0, 0, 0, 0], 4, 0, OnnxLimits.MaxExtent)!;
        _dilations = attributes.Ints("dilations", [1, 1], 2, 1, OnnxLimits.MaxExtent)!;
        _ceil = attributes.Int("ceil_mode", 0) != 0;
        _countPadding = attributes.Int("count_include_pad", 0) != 0;
        _autoPad = attributes.String("auto_pad", "NOTSET");
        if (_autoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID"))
        {
            throw new OnnxImportException($"The {node.OpType} node '{Name}' has auto_pad = '{_autoPad}'; it must be NOTSET, SAME_UPPER, SAME_LOWER or VALID.");
        }

        if (!_max && _dilations.Any(d => d != 1))
        {
            throw new OnnxImportException($"The AveragePool node '{Name}' uses dilations, which ModelGen does not import.");
        }
    }

    public override IEnumerable<long[]> PlannedShapes(OnnxValues values)
    {
        var x = values.Input(this, 0, rank: 4);
        var pads = EffectivePads(x);
        long[] padded = [x.shape[0], x.shape[1], x.shape[2] + pads[0] + pads[2], x.shape[3] + pads[1] + pads[3]];
        return [padded, [x.shape[0], x.shape[1], Extent(padded[2], 0), Extent(padded[3], 1)]];
    }

    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        var pads = EffectivePads(x);
        var symmetric = pads[0] == pads[2] && pads[1] == pads[3] && pads[0] * 2 <= _kernel[0] && pads[1] * 2 <= _kernel[1];
        if (_max)
        {
            if (symmetric)
            {
                return nn.functional.max_pool2d(x, _kernel, _strides, [pads[0], pads[1]], _dilations, ceil_mode: _ceil);
            }

            // Padding with -inf never wins a max, so explicit padding matches ONNX's implicit one.
            var padded = nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]], value: double.NegativeInfinity);
            return nn.functional.max_pool2d(padded, _kernel, _strides, [0, 0], _dilations, ceil_mode: _ceil);
        }

        if (symmetric)
        {
            return nn.functional.avg_pool2d(x, _kernel, _strides, [pads[0], pads[1]], ceil_mode: _ceil, count_include_pad: _countPadding);
        }

        var zeroPadded = nn.functional.pad(x, [pads[1], pads[3], pads[0], pads[2]]);
        var sums = nn.functional.avg_pool2d(zeroPadded, _kernel, _strides, [0, 0], ceil_mode: _ceil, count_include_pad: true);
        if (_countPadding)
        {
            return sums;
        }

        // Divide by the number of real (unpadded) elements under each window.
        using var ones = ones_like(x.narrow(1, 0, 1));
        var area = nn.functional.avg_pool2d(nn.functional.pad(ones, [pads[1], pads[3], pads[0], pads[2]]), _kernel, _strides, [0, 0], ceil_mode: _ceil, count_include_pad: true);
        return sums / area;
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);

    private long[] EffectivePads(Tensor x) => _autoPad switch
    {
        "SAME_UPPER" or "SAME_LOWER" => OnnxPadding.Same(x, _kernel, _strides, _dilations, upper: _autoPad == "SAME_UPPER"),
        "VALID" => [0, 0, 0, 0],
        _ => _pads,
    };

    // The output extent along a padded axis, rounded up (ceil_mode adds at most one window).
    private long Extent(long padded, int axis) => Math.Max(0, ((padded - (_dilations[axis] * (_kernel[axis] - 1)) - 1) / _strides[axis]) + 2);
}

/// <summary>GlobalAveragePool and GlobalMaxPool: one value per channel, kept 4-D as ONNX does.</summary>
internal sealed class GlobalPoolOp(NodeProto node) : OnnxOp(node)
{
    public override Tensor Run(OnnxValues values)
    {
        var x = values[Node.Input[0]];
        return Node.OpType == "GlobalAveragePool" ? x.mean([2, 3], keepdim: true) : x.amax([2, 3], keepdim: true);
    }

    public override T Accept<T>(IOnnxOpVisitor<T> visitor) => visitor.Visit(this);
}
