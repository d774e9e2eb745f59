using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Backbones.Architectures;

/// <summary>
/// torchvision's MobileNetV3 (large and small): <c>features</c> is a 3x3 stem with hardswish, the
/// inverted residual blocks (<c>block</c>: expand 1x1, depthwise kxk, optional squeeze-excitation with
/// hardsigmoid, project 1x1) and a 1x1 convolution to six times the last block's channels. BatchNorm
/// has eps 0.001 and momentum 0.01, as torchvision sets them.
/// </summary>
internal static class MobileNetV3
{
    /// <summary>One row of torchvision's table: input, kernel, expanded, output channels, squeeze-excitation, hardswish, stride.</summary>
    public readonly record struct BlockSetting(int Input, int Kernel, int Expanded, int Output, bool SqueezeExcite, bool Hardswish, int Stride);

    /// <summary>mobilenet_v3_large's blocks.</summary>
    public static readonly BlockSetting[] Large =
    [
        new(16, 3, 16, 16, false, false, 1),
        new(16, 3, 64, 24, false, false, 2),
        new(24, 3, 72, 24, false, false, 1),
        new(24, 5, 72, 40, true, false, 2),
        new(40, 5, 120, 40, true, false, 1),
        new(40, 5, 120, 40, true, false, 1),
        new(40, 3, 240, 80, false, true, 2),
        new(80, 3, 200, 80, false, true, 1),
        new(80, 3, 184, 80, false, true, 1),
        new(80, 3, 184, 80, false, true, 1),
        new(80, 3, 480, 112, true, true, 1),
        new(112, 3, 672, 112, true, true, 1),
        new(112, 5, 672, 160, true, true, 2),
        new(160, 5, 960, 160, true, true, 1),
        new(160, 5, 960, 160, true, true, 1),
    ];

    /// <summary>mobilenet_v3_small's blocks.</summary>
    public static readonly BlockSetting[] Small =
    [
        new(16, 3, 16, 16, true, false, 2),
        new(16, 3, 72, 24, false, false, 2),
        new(24, 3, 88, 24, false, false, 1),
        new(24, 5, 96, 40, true, true, 2),
        new(40, 5, 240, 40, true, true, 1),
        new(40, 5, 240, 40, true, true, 1),
        new(40, 5, 120, 48, true, true, 1),
        new(48, 5, 144, 48, true, true, 1),
        new(48, 5, 288, 96, true, true, 2),
        new(96, 5, 576, 96, true, true, 1),
        new(96, 5, 576, 96, true, true, 1),
    ];

    public static nn.Module Large1000() => Build("mobilenet_v3_large", Large, lastChannel: 1280);

    public static nn.Module Small1000() => Build("mobilenet_v3_small", Small, lastChannel: 1024);

    private static ClassificationNetwork Build(string name, BlockSetting[] settings, long lastChannel)
    {
        var norm = Blocks.BatchNorm(eps: 0.001, momentum: 0.01);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("0", Blocks.ConvNormActivation(3, settings[0].Input, 3, stride: 2, norm: norm, activation: () => nn.Hardswish())),
        };
        foreach (var setting in settings)
        {
            layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), InvertedResidual(setting, norm)));
        }

        var lastConv = 6L * settings[^1].Output;
        layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Blocks.ConvNormActivation(settings[^1].Output, lastConv, 1, norm: norm, activation: () => nn.Hardswish())));
        var classifier = nn.Sequential(
            ("0", nn.Linear(lastConv, lastChannel)),
            ("1", nn.Hardswish()),
            ("2", nn.Dropout(0.2)),
            ("3", nn.Linear(lastChannel, 1000)));
        return new ClassificationNetwork(name, nn.Sequential(layers), classifier, flatten: true);
    }

    /// <summary>torchvision's MobileNetV3 <c>InvertedResidual</c>: <c>block</c>, plus the input where stride is 1 and channels match.</summary>
    private static ResidualBlock InvertedResidual(BlockSetting setting, Func<long, nn.Module<Tensor, Tensor>> norm)
    {
        Func<nn.Module<Tensor, Tensor>> activation = setting.Hardswish ? () => nn.Hardswish() : () => nn.ReLU();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        string Next() => layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (setting.Expanded != setting.Input)
        {
            layers.Add((Next(), Blocks.ConvNormActivation(setting.Input, setting.Expanded, 1, norm: norm, activation: activation)));
        }

        layers.Add((Next(), Blocks.ConvNormActivation(setting.Expanded, setting.Expanded, setting.Kernel, stride: setting.Stride, groups: setting.Expanded, norm: norm, activation: activation)));
        if (setting.SqueezeExcite)
        {
            layers.Add((Next(), new SqueezeExcitation(setting.Expanded, Blocks.MakeDivisible(setting.Expanded / 4), nn.ReLU(), nn.Hardsigmoid())));
        }

        layers.Add((Next(), Blocks.ConvNormActivation(setting.Expanded, setting.Output, 1, norm: norm)));
        return new ResidualBlock("InvertedResidual", nn.Sequential(layers), shortcut: setting.Stride == 1 && setting.Input == setting.Output);
    }
}
