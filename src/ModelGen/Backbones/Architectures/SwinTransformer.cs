using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's SwinTransformer (torchvision/models/swin_transformer.py, v1) without its classifier, with
/// torchvision's module, parameter and buffer names: <c>features</c> (the patch embedding <c>features.0</c>, the stages
/// <c>features.1/3/5/7</c> of <c>SwinTransformerBlock</c>s, the patch merging <c>features.2/4/6</c>) and <c>norm</c>. It runs
/// channels last, as torchvision does; the backbone turns its output to channels first.
/// </summary>
internal static class SwinTransformer
{
    /// <summary>The sizes of a Swin variant.</summary>
    /// <param name="Embed">Channels of the patch embedding (doubled by each patch merging).</param>
    /// <param name="Depths">Blocks per stage.</param>
    /// <param name="Heads">Attention heads per stage.</param>
    /// <param name="Window">Side of the attention window.</param>
    /// <param name="StochasticDepth">The largest stochastic depth probability (the last block's).</param>
    public sealed record Config(long Embed, int[] Depths, int[] Heads, int Window, double StochasticDepth);

    /// <summary>The sizes of <paramref name="architecture"/>.</summary>
    /// <exception cref="ArgumentException">It is not a Swin Transformer.</exception>
    public static Config ConfigOf(Architecture architecture) => architecture switch
    {
        Architecture.SwinT => new Config(96, [2, 2, 6, 2], [3, 6, 12, 24], 7, 0.2),
        _ => throw new ArgumentException($"{architecture} is not a Swin Transformer.", nameof(architecture)),
    };

    /// <summary>The stages <c>features</c> and <c>norm</c>, freshly initialised as torchvision does.</summary>
    public static List<(string Name, nn.Module<Tensor, Tensor> Module)> Stages(Architecture architecture)
    {
        var config = ConfigOf(architecture);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", nn.Sequential(("0", nn.Conv2d(3, config.Embed, 4, stride: 4)), ("1", new SwinPermute(0, 2, 3, 1)), ("2", nn.LayerNorm(config.Embed)))),
        };
        var total = config.Depths.Sum();
        var blockId = 0;
        for (var stage = 0; stage < config.Depths.Length; stage++)
        {
            var dim = config.Embed << stage;
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var b = 0; b < config.Depths[stage]; b++)
            {
                var probability = config.StochasticDepth * blockId++ / (total - 1);
                blocks.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), new SwinBlock(dim, config.Heads[stage], config.Window, b % 2 == 0 ? 0 : config.Window / 2, probability)));
            }

            layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), nn.Sequential(blocks.ToArray())));
            if (stage < config.Depths.Length - 1)
            {
                layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), new SwinPatchMerging(dim)));
            }
        }

        var features = nn.Sequential(layers.ToArray());
        var norm = nn.LayerNorm(config.Embed << (config.Depths.Length - 1));
        using (no_grad())
        {
            // torchvision: every Linear of the model gets a truncated normal (std 0.02) and a zero bias.
            foreach (var linear in features.modules().OfType<Linear>())
            {
                Initialization.TruncatedNormal(linear.weight!, 0.02);
                if (linear.bias is { } bias)
                {
                    nn.init.zeros_(bias);
                }
            }
        }

        return [("features", features), ("norm", norm)];
    }

    /// <summary>Every tensor name of the whole torchvision network (buffers and the classifier included), as its weight files hold them.</summary>
    public static IEnumerable<string> TensorNames(Architecture architecture)
    {
        var config = ConfigOf(architecture);
        string[] block = ["norm1.weight", "norm1.bias", "attn.relative_position_bias_table", "attn.relative_position_index", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.0.weight", "mlp.0.bias", "mlp.3.weight", "mlp.3.bias"];
        yield return "features.0.0.weight";
        yield return "features.0.0.bias";
        yield return "features.0.2.weight";
        yield return "features.0.2.bias";
        var index = 1;
        for (var stage = 0; stage < config.Depths.Length; stage++)
        {
            for (var b = 0; b < config.Depths[stage]; b++)
            {
                foreach (var name in block)
                {
                    yield return $"features.{index}.{b}.{name}";
                }
            }

            index++;
            if (stage < config.Depths.Length - 1)
            {
                yield return $"features.{index}.reduction.weight";
                yield return $"features.{index}.norm.weight";
                yield return $"features.{index}.norm.bias";
                index++;
            }
        }

        yield return "norm.weight";
        yield return "norm.bias";
        yield return "head.weight";
        yield return "head.bias";
    }
}

/// <summary>torchvision's ops.misc.Permute: the dimensions reordered.</summary>
internal sealed class SwinPermute(params long[] dims) : nn.Module<Tensor, Tensor>("Permute")
{
    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input.permute(dims);

    /// <summary>Does nothing: the module has no components.</summary>
    protected override void RegisterComponents()
    {
    }
}

/// <summary>torchvision's SwinTransformerBlock: x + sd(attn(norm1(x))), then x + sd(mlp(norm2(x))), channels last.</summary>
internal sealed class SwinBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm _norm1;
    private readonly SwinWindowAttention _attn;
    private readonly StochasticDepth _stochasticDepth;
    private readonly LayerNorm _norm2;
    private readonly Sequential _mlp;

    public SwinBlock(long dim, int heads, int window, int shift, double stochasticDepth)
        : base("SwinTransformerBlock")
    {
        _norm1 = nn.LayerNorm(dim);
        _attn = new SwinWindowAttention(dim, heads, window, shift);
        _stochasticDepth = new StochasticDepth(stochasticDepth);
        _norm2 = nn.LayerNorm(dim);
        _mlp = nn.Sequential(("0", nn.Linear(dim, 4 * dim)), ("1", nn.GELU()), ("2", nn.Dropout(0.0)), ("3", nn.Linear(4 * dim, dim)), ("4", nn.Dropout(0.0)));
        register_module("norm1", _norm1);
        register_module("attn", _attn);
        register_module("stochastic_depth", _stochasticDepth);
        register_module("norm2", _norm2);
        register_module("mlp", _mlp);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input + _stochasticDepth.call(_attn.call(_norm1.call(input)));
        x = x + _stochasticDepth.call(_mlp.call(_norm2.call(x)));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Does nothing: the modules are registered by hand under torchvision's names, not under their field names.</summary>
    protected override void RegisterComponents()
    {
    }
}

/// <summary>torchvision's PatchMerging: 2x2 neighbours concatenated (padding odd sizes), normalised, projected to 2C.</summary>
internal sealed class SwinPatchMerging : nn.Module<Tensor, Tensor>
{
    private readonly Linear _reduction;
    private readonly LayerNorm _norm;

    public SwinPatchMerging(long dim)
        : base("PatchMerging")
    {
        _reduction = nn.Linear(4 * dim, 2 * dim, hasBias: false);
        _norm = nn.LayerNorm(4 * dim);
        register_module("reduction", _reduction);
        register_module("norm", _norm);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (h, w) = (input.shape[^3], input.shape[^2]);
        var x = nn.functional.pad(input, [0, 0, 0, w % 2, 0, h % 2]);
        var even = TensorIndex.Slice(0, null, 2);
        var odd = TensorIndex.Slice(1, null, 2);
        var merged = cat(
            [
                x[TensorIndex.Ellipsis, even, even, TensorIndex.Colon],
                x[TensorIndex.Ellipsis, odd, even, TensorIndex.Colon],
                x[TensorIndex.Ellipsis, even, odd, TensorIndex.Colon],
                x[TensorIndex.Ellipsis, odd, odd, TensorIndex.Colon],
            ],
            -1);
        return _reduction.call(_norm.call(merged)).MoveToOuterDisposeScope();
    }

    /// <summary>Does nothing: the modules are registered by hand under torchvision's names, not under their field names.</summary>
    protected override void RegisterComponents()
    {
    }
}

/// <summary>
/// torchvision's ShiftedWindowAttention (v1): self-attention inside window x window patches of a channels-last map
/// (padded to whole windows), rolled by the shift first in every second block with a mask between the rolled regions,
/// plus a learned relative position bias (<c>relative_position_bias_table</c>, indexed by the buffer
/// <c>relative_position_index</c>).
/// </summary>
internal sealed class SwinWindowAttention : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _table;
    private readonly Tensor _index;
    private readonly Linear _qkv;
    private readonly Linear _proj;
    private readonly int _heads;
    private readonly int _window;
    private readonly int _shift;

    public SwinWindowAttention(long dim, int heads, int window, int shift)
        : base("ShiftedWindowAttention")
    {
        _heads = heads;
        _window = window;
        _shift = shift;
        var side = (2 * window) - 1;
        _table = nn.Parameter(zeros(side * side, heads));
        using (no_grad())
        {
            Initialization.TruncatedNormal(_table, 0.02);
        }

        var n = window * window;
        var index = new long[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                index[(i * n) + j] = (((i / window) - (j / window) + window - 1) * side) + ((i % window) - (j % window) + window - 1);
            }
        }

        _index = tensor(index);
        _qkv = nn.Linear(dim, 3 * dim);
        _proj = nn.Linear(dim, dim);
        register_parameter("relative_position_bias_table", _table);
        register_buffer("relative_position_index", _index);
        register_module("qkv", _qkv);
        register_module("proj", _proj);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (b, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3]);
        long ws = _window;
        var padR = (ws - (w % ws)) % ws;
        var padB = (ws - (h % ws)) % ws;
        var x = nn.functional.pad(input, [0, 0, 0, padR, 0, padB]);
        var (ph, pw) = (h + padB, w + padR);
        var shiftH = ws >= ph ? 0 : _shift;
        var shiftW = ws >= pw ? 0 : _shift;
        var shifted = shiftH + shiftW > 0;
        if (shifted)
        {
            x = x.roll([-shiftH, -shiftW], [1, 2]);
        }

        var windows = ph / ws * (pw / ws);
        var n = ws * ws;
        x = x.view(b, ph / ws, ws, pw / ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b * windows, n, c);
        var qkv = _qkv.call(x).reshape(b * windows, n, 3, _heads, c / _heads).permute(2, 0, 3, 1, 4);
        var q = qkv[0] * Math.Pow(c / _heads, -0.5);
        var attention = q.matmul(qkv[1].transpose(-2, -1));
        var bias = _table[_index].view(n, n, -1).permute(2, 0, 1).contiguous().unsqueeze(0);
        attention = attention + bias;
        if (shifted)
        {
            var mask = Mask(ph, pw, ws, shiftH, shiftW, windows, n, input.device);
            attention = attention.view(b, windows, _heads, n, n) + mask.unsqueeze(1).unsqueeze(0);
            attention = attention.view(-1, _heads, n, n);
        }

        attention = attention.softmax(-1);
        x = attention.matmul(qkv[2]).transpose(1, 2).reshape(b * windows, n, c);
        x = _proj.call(x);
        x = x.view(b, ph / ws, pw / ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b, ph, pw, c);
        if (shifted)
        {
            x = x.roll([shiftH, shiftW], [1, 2]);
        }

        return x[TensorIndex.Colon, TensorIndex.Slice(0, h), TensorIndex.Slice(0, w), TensorIndex.Colon].contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Does nothing: the modules are registered by hand under torchvision's names, not under their field names.</summary>
    protected override void RegisterComponents()
    {
    }

    // torchvision's mask: the padded map split into 3x3 regions by Python slices (0, -ws), (-ws, -shift),
    // (-shift, None) per axis, each numbered; positions of different regions in one window do not attend (-100).
    private static Tensor Mask(long ph, long pw, long ws, long shiftH, long shiftW, long windows, long n, Device device)
    {
        var regions = new float[ph * pw];
        (long Start, long Stop)[] Slices(long length, long shift) =>
        [
            PythonSlice(length, 0, -ws),
            PythonSlice(length, -ws, -shift),
            PythonSlice(length, -shift, null),
        ];
        var count = 0;
        foreach (var (h0, h1) in Slices(ph, shiftH))
        {
            foreach (var (w0, w1) in Slices(pw, shiftW))
            {
                for (var i = h0; i < h1; i++)
                {
                    for (var j = w0; j < w1; j++)
                    {
                        regions[(i * pw) + j] = count;
                    }
                }

                count++;
            }
        }

        var mask = tensor(regions, [ph / ws, ws, pw / ws, ws], device: device).permute(0, 2, 1, 3).reshape(windows, n);
        var difference = mask.unsqueeze(1) - mask.unsqueeze(2);
        return difference.ne(0).to(float32) * -100f;
    }

    // Python's x[start:stop] bounds on an axis of the given length (negative from the end, clamped; -0 is 0).
    private static (long Start, long Stop) PythonSlice(long length, long start, long? stop)
    {
        static long Resolve(long value, long length) => Math.Clamp(value < 0 ? length + value : value, 0, length);
        return (Resolve(start, length), stop is { } s ? Resolve(s, length) : length);
    }
}
