using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// The building blocks torchvision's newer networks share (<c>torchvision.ops.misc</c> and
/// <c>torchvision.ops.stochastic_depth</c>), with torchvision's module and parameter names so that
/// state_dict keys match its weight files.
/// </summary>
internal static class Blocks
{
    /// <summary>
    /// torchvision's <c>Conv2dNormActivation</c>: a chain <c>0</c> (convolution, padding (k-1)/2, bias only
    /// without a norm), <c>1</c> (the norm, when given) and the activation (when given).
    /// </summary>
    public static Sequential ConvNormActivation(
        long inChannels,
        long outChannels,
        int kernel,
        int stride = 1,
        long groups = 1,
        Func<long, nn.Module<Tensor, Tensor>>? norm = null,
        Func<nn.Module<Tensor, Tensor>>? activation = null,
        int? padding = null,
        bool? bias = null)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", nn.Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding ?? ((kernel - 1) / 2), groups: groups, bias: bias ?? norm is null)),
        };
        if (norm is not null)
        {
            layers.Add(("1", norm(outChannels)));
        }

        if (activation is not null)
        {
            layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), activation()));
        }

        return nn.Sequential(layers);
    }

    /// <summary>torchvision's <c>_make_divisible(v, 8)</c>: the nearest multiple of 8, never more than 10% below.</summary>
    public static long MakeDivisible(double value, int divisor = 8)
    {
        var result = Math.Max(divisor, (long)(value + (divisor / 2.0)) / divisor * divisor);
        return result < 0.9 * value ? result + divisor : result;
    }

    /// <summary>A BatchNorm2d factory with torchvision's per-family eps and momentum.</summary>
    public static Func<long, nn.Module<Tensor, Tensor>> BatchNorm(double eps = 1e-5, double momentum = 0.1) =>
        channels => nn.BatchNorm2d(channels, eps: eps, momentum: momentum);
}

/// <summary>
/// torchvision's <c>SqueezeExcitation</c>: channel weights from the globally pooled input
/// (<c>fc1</c>, activation, <c>fc2</c>, scale activation) multiply the input.
/// </summary>
internal sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
    private readonly AdaptiveAvgPool2d _avgpool;
    private readonly Conv2d _fc1;
    private readonly Conv2d _fc2;
    private readonly nn.Module<Tensor, Tensor> _activation;
    private readonly nn.Module<Tensor, Tensor> _scaleActivation;

    public SqueezeExcitation(long inputChannels, long squeezeChannels, nn.Module<Tensor, Tensor> activation, nn.Module<Tensor, Tensor> scaleActivation)
        : base(nameof(SqueezeExcitation))
    {
        _avgpool = nn.AdaptiveAvgPool2d(1);
        _fc1 = nn.Conv2d(inputChannels, squeezeChannels, 1);
        _fc2 = nn.Conv2d(squeezeChannels, inputChannels, 1);
        _activation = activation;
        _scaleActivation = scaleActivation;

        // torchvision's registration order (named_modules, state_dict).
        register_module("avgpool", _avgpool);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
        register_module("activation", _activation);
        register_module("scale_activation", _scaleActivation);
    }

    /// <summary>The squeezing 1x1 convolution.</summary>
    public Conv2d Fc1 => _fc1;

    /// <summary>The exciting 1x1 convolution.</summary>
    public Conv2d Fc2 => _fc2;

    /// <summary>The activation between the two convolutions.</summary>
    public nn.Module<Tensor, Tensor> Activation => _activation;

    /// <summary>The activation that gives the channel weights.</summary>
    public nn.Module<Tensor, Tensor> ScaleActivation => _scaleActivation;

    public override Tensor forward(Tensor input)
    {
        using var pooled = _avgpool.forward(input);
        using var squeezed = _fc1.forward(pooled);
        using var activated = _activation.forward(squeezed);
        using var excited = _fc2.forward(activated);
        using var scale = _scaleActivation.forward(excited);
        return scale * input;
    }
}

/// <summary>
/// torchvision's <c>StochasticDepth</c> in "row" mode: in training each sample's residual branch is
/// dropped with probability <c>p</c> (survivors scaled by 1/(1-p)); in evaluation it is the identity.
/// </summary>
internal sealed class StochasticDepth : nn.Module<Tensor, Tensor>
{
    private readonly double _p;

    public StochasticDepth(double p)
        : base(nameof(StochasticDepth))
    {
        if (p is < 0.0 or > 1.0)
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A drop probability is between 0 and 1.");
        }

        _p = p;
    }

    public override Tensor forward(Tensor input)
    {
        if (!training || _p == 0.0)
        {
            return input.alias();
        }

        var survival = 1.0 - _p;
        var size = new long[input.dim()];
        Array.Fill(size, 1L);
        size[0] = input.shape[0];
        using var noise = empty(size, input.dtype, input.device).bernoulli_(survival);
        if (survival > 0.0)
        {
            noise.div_(survival);
        }

        return input * noise;
    }
}

/// <summary>torchvision's <c>Permute</c>: a view of the input with its dimensions reordered.</summary>
internal sealed class Permute(params long[] dims) : nn.Module<Tensor, Tensor>(nameof(Permute))
{
    /// <summary>The new order of the dimensions.</summary>
    public IReadOnlyList<long> Dims => dims;

    public override Tensor forward(Tensor input) => input.permute(dims);
}

/// <summary>
/// torchvision's <c>LayerNorm2d</c> (ConvNeXt): layer norm over the channels of an NCHW tensor, with
/// parameters <c>weight</c> and <c>bias</c> like <c>nn.LayerNorm</c>.
/// </summary>
internal sealed class LayerNorm2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly long _channels;
    private readonly double _eps;

    public LayerNorm2d(long channels, double eps)
        : base(nameof(LayerNorm2d))
    {
        _channels = channels;
        _eps = eps;
        _weight = new Parameter(ones(channels));
        _bias = new Parameter(zeros(channels));
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
    }

    /// <summary>The scale per channel.</summary>
    public Parameter Weight => _weight;

    /// <summary>The shift per channel.</summary>
    public Parameter Bias => _bias;

    /// <summary>What is added to the variance.</summary>
    public double Eps => _eps;

    public override Tensor forward(Tensor input)
    {
        using var channelsLast = input.permute(0, 2, 3, 1);
        using var normalized = nn.functional.layer_norm(channelsLast, [_channels], _weight, _bias, _eps);
        return normalized.permute(0, 3, 1, 2);
    }
}

/// <summary>
/// A residual block of torchvision's newer networks: a <c>block</c> chain whose output, scaled per channel
/// by <c>layer_scale</c> (ConvNeXt) and passed through <c>stochastic_depth</c> (EfficientNet, ConvNeXt), is
/// added to the input where the block keeps the shape. MobileNetV3's InvertedResidual, EfficientNet's
/// MBConv and FusedMBConv and ConvNeXt's CNBlock are all this, with torchvision's names.
/// </summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _block;
    private readonly Parameter? _layerScale;
    private readonly StochasticDepth? _stochasticDepth;

    /// <param name="name">torchvision's class name (InvertedResidual, MBConv, FusedMBConv, CNBlock).</param>
    /// <param name="block">The branch.</param>
    /// <param name="shortcut">Whether the input is added to the branch.</param>
    /// <param name="dropProbability">The stochastic depth probability; null where the block has no <c>stochastic_depth</c>.</param>
    /// <param name="layerScale">The per-channel scale of the branch; null where the block has none.</param>
    public ResidualBlock(string name, Sequential block, bool shortcut, double? dropProbability = null, Parameter? layerScale = null)
        : base(name)
    {
        _block = block;
        HasShortcut = shortcut;
        register_module("block", _block);
        if (layerScale is not null)
        {
            _layerScale = layerScale;
            register_parameter("layer_scale", _layerScale);
        }

        if (dropProbability is { } p)
        {
            _stochasticDepth = new StochasticDepth(p);
            register_module("stochastic_depth", _stochasticDepth);
        }
    }

    /// <summary>The branch.</summary>
    public Sequential Block => _block;

    /// <summary>Whether the input is added to the branch.</summary>
    public bool HasShortcut { get; }

    /// <summary>The per-channel scale of the branch (ConvNeXt), or null.</summary>
    public Parameter? LayerScale => _layerScale;

    public override Tensor forward(Tensor input)
    {
        var result = _block.forward(input);
        if (_layerScale is not null)
        {
            using var branch = result;
            result = _layerScale * branch;
        }

        if (!HasShortcut)
        {
            return result;
        }

        using (result)
        {
            using var dropped = _stochasticDepth is null ? result.alias() : _stochasticDepth.forward(result);
            return dropped + input;
        }
    }
}

/// <summary>
/// A classification network as torchvision lays it out: <c>features</c>, <c>avgpool</c> and
/// <c>classifier</c>. The catalog keeps <c>features</c> and uses the rest for the weight files' names.
/// </summary>
internal sealed class ClassificationNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _features;
    private readonly AdaptiveAvgPool2d _avgpool;
    private readonly Sequential _classifier;
    private readonly bool _flatten;

    /// <param name="name">The network's name.</param>
    /// <param name="features">The convolutional base.</param>
    /// <param name="classifier">The classifier after the global average pool.</param>
    /// <param name="flatten">Whether the pooled features are flattened before the classifier (false where the classifier flattens them itself).</param>
    public ClassificationNetwork(string name, Sequential features, Sequential classifier, bool flatten)
        : base(name)
    {
        _features = features;
        _avgpool = nn.AdaptiveAvgPool2d(1);
        _classifier = classifier;
        _flatten = flatten;
        register_module("features", _features);
        register_module("avgpool", _avgpool);
        register_module("classifier", _classifier);
    }

    public override Tensor forward(Tensor input)
    {
        using var features = _features.forward(input);
        using var pooled = _avgpool.forward(features);
        if (!_flatten)
        {
            return _classifier.forward(pooled);
        }

        using var flat = pooled.flatten(1);
        return _classifier.forward(flat);
    }
}
