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

    public override Tensor forward(Tensor input)
    {
        using var channelsLast = input.permute(0, 2, 3, 1);
        using var normalized = nn.functional.layer_norm(channelsLast, [_channels], _weight, _bias, _eps);
        return normalized.permute(0, 3, 1, 2);
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
