using ModelGen.Shared;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's RegNetY (regnet_y_400mf, _800mf, _1_6gf, _3_2gf) as TorchSharp modules with torchvision's
/// names: <c>stem</c> (conv, batch norm, ReLU), <c>trunk_output.block1</c>..<c>block4</c> of
/// <c>ResBottleneckBlock</c>s named <c>blockS-B</c> (proj, f.a, f.b, f.se, f.c, activation), and <c>fc</c>;
/// widths and groups from <see cref="RegNetSettings"/>.
/// </summary>
internal static class RegNet
{
    /// <summary>The whole network (stem, trunk and classifier), freshly initialised.</summary>
    public static nn.Module Build(string architecture)
    {
        var stages = RegNetSettings.Stages(architecture);
        var stem = ConvNormActivation(3, RegNetSettings.StemWidth, kernel: 3, stride: 2, groups: 1, activation: true);
        var trunk = new List<(string, nn.Module<Tensor, Tensor>)>();
        long widthIn = RegNetSettings.StemWidth;
        for (var s = 0; s < stages.Count; s++)
        {
            var (depth, width, groupWidth) = stages[s];
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var b = 0; b < depth; b++)
            {
                blocks.Add(($"block{s + 1}-{b}", new ResBottleneckBlock(widthIn, width, b == 0 ? 2 : 1, groupWidth)));
                widthIn = width;
            }

            trunk.Add(($"block{s + 1}", nn.Sequential(blocks.ToArray())));
        }

        var model = new Network("RegNet", ("stem", stem), ("trunk_output", nn.Sequential(trunk.ToArray())), ("fc", nn.Linear(widthIn, 1000)));
        Initialize(model);
        return model;
    }

    /// <summary>torchvision's <c>Conv2dNormActivation</c>: convolution without bias (padding (k-1)/2), batch norm, optional ReLU.</summary>
    private static Sequential ConvNormActivation(long inChannels, long outChannels, int kernel, int stride, long groups, bool activation)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", nn.Conv2d(inChannels, outChannels, kernel_size: kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups, bias: false)),
            ("1", nn.BatchNorm2d(outChannels)),
        };
        if (activation)
        {
            layers.Add(("2", nn.ReLU()));
        }

        return nn.Sequential(layers.ToArray());
    }

    /// <summary>torchvision's ResNet-style initialisation of RegNet: normal convolutions (fan-out), unit batch norms, small linear weights.</summary>
    private static void Initialize(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in model.named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    var fanOut = conv.weight!.shape[0] * conv.weight.shape[2] * conv.weight.shape[3];
                    nn.init.normal_(conv.weight, 0.0, Math.Sqrt(2.0 / fanOut));
                    break;
                case BatchNorm2d norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
                case Linear linear:
                    nn.init.normal_(linear.weight, 0.0, 0.01);
                    nn.init.zeros_(linear.bias);
                    break;
            }
        }
    }

    /// <summary>torchvision's <c>ResBottleneckBlock</c> (bottleneck multiplier 1, squeeze-excitation 0.25).</summary>
    /// <remarks>
    /// Children are kept in an array, not in fields of a module type: TorchSharp's RegisterComponents would
    /// register such fields a second time under their field names.
    /// </remarks>
    private sealed class ResBottleneckBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor>?[] _parts; // proj (or null), f, activation

        public ResBottleneckBlock(long widthIn, long widthOut, int stride, long groupWidth)
            : base("ResBottleneckBlock")
        {
            var proj = widthIn != widthOut || stride != 1
                ? ConvNormActivation(widthIn, widthOut, kernel: 1, stride: stride, groups: 1, activation: false)
                : null;
            var f = nn.Sequential(
                ("a", ConvNormActivation(widthIn, widthOut, kernel: 1, stride: 1, groups: 1, activation: true)),
                ("b", ConvNormActivation(widthOut, widthOut, kernel: 3, stride: stride, groups: widthOut / groupWidth, activation: true)),
                ("se", new SqueezeExcitation(widthOut, RegNetSettings.SqueezeChannels((int)widthIn))),
                ("c", ConvNormActivation(widthOut, widthOut, kernel: 1, stride: 1, groups: 1, activation: false)));
            var activation = nn.ReLU();
            if (proj is not null)
            {
                register_module("proj", proj);
            }

            register_module("f", f);
            register_module("activation", activation);
            _parts = [proj, f, activation];
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var shortcut = _parts[0] is { } proj ? proj.forward(input) : input;
            return _parts[2]!.forward(shortcut + _parts[1]!.forward(input)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>torchvision's <c>SqueezeExcitation</c>: avgpool, fc1 (1x1 conv), ReLU, fc2 (1x1 conv), sigmoid; scales the input.</summary>
    private sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor>[] _scale; // avgpool, fc1, activation, fc2, scale_activation, in run order

        public SqueezeExcitation(long channels, long squeezeChannels)
            : base("SqueezeExcitation")
        {
            var avgpool = nn.AdaptiveAvgPool2d(1);
            var fc1 = nn.Conv2d(channels, squeezeChannels, kernel_size: 1);
            var fc2 = nn.Conv2d(squeezeChannels, channels, kernel_size: 1);
            var activation = nn.ReLU();
            var scaleActivation = nn.Sigmoid();
            register_module("avgpool", avgpool);
            register_module("fc1", fc1);
            register_module("fc2", fc2);
            register_module("activation", activation);
            register_module("scale_activation", scaleActivation);
            _scale = [avgpool, fc1, activation, fc2, scaleActivation];
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var scale = _scale.Aggregate(input, (x, layer) => layer.forward(x));
            return (scale * input).MoveToOuterDisposeScope();
        }
    }
}
