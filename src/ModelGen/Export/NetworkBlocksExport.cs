using ModelGen.Backbones.Architectures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Export;

/// <summary>
/// The ONNX form (opset 17) of the layers of torchvision's newer networks (MobileNetV3, EfficientNet,
/// ConvNeXt): their activations, squeeze-excitation, residual blocks, layer norms and channels-last
/// linear layers. Stochastic depth and dropout are the identity at inference.
/// </summary>
internal static class NetworkBlocksExport
{
    /// <summary>The nodes of <paramref name="module"/>, or null when it is none of these layers.</summary>
    public static string? TryExport(OnnxWriter writer, nn.Module module, string name, string x) => module switch
    {
        Hardswish => writer.Node("HardSwish", name, [x]),
        Hardsigmoid => writer.Node("HardSigmoid", name, [x], ("alpha", 1f / 6f), ("beta", 0.5f)),
        Sigmoid => writer.Node("Sigmoid", name, [x]),
        SiLU => writer.Node("Mul", name, [x, writer.Node("Sigmoid", name + ".sigmoid", [x])]),
        GELU => OnnxExporter.Gelu(writer, name, x),
        StochasticDepth => x,
        Permute permute => writer.Node("Transpose", name, [x], ("perm", permute.Dims.ToArray())),
        Linear linear => Linear(writer, linear, name, x),
        LayerNorm norm => writer.Node("LayerNormalization", name, [x, writer.Initializer(name + ".weight", norm.weight!), writer.Initializer(name + ".bias", norm.bias!)], ("axis", -1L), ("epsilon", (float)norm.eps)),
        LayerNorm2d norm => LayerNorm2d(writer, norm, name, x),
        SqueezeExcitation excitation => SqueezeExcitation(writer, excitation, name, x),
        ResidualBlock block => Residual(writer, block, name, x),
        _ => null,
    };

    // A linear layer on the last axis of any rank: MatMul with the transposed weight, then the bias.
    private static string Linear(OnnxWriter writer, Linear linear, string name, string x)
    {
        using var transposed = linear.weight!.t();
        var product = writer.Node("MatMul", linear.bias is null ? name : name + ".matmul", [x, writer.Initializer(name + ".weight", transposed)]);
        return linear.bias is null ? product : writer.Node("Add", name, [product, writer.Initializer(name + ".bias", linear.bias)]);
    }

    private static string LayerNorm2d(OnnxWriter writer, LayerNorm2d norm, string name, string x)
    {
        var channelsLast = writer.Node("Transpose", name + ".channels_last", [x], ("perm", new long[] { 0, 2, 3, 1 }));
        var normalized = writer.Node("LayerNormalization", name + ".normalized", [channelsLast, writer.Initializer(name + ".weight", norm.Weight), writer.Initializer(name + ".bias", norm.Bias)], ("axis", -1L), ("epsilon", (float)norm.Eps));
        return writer.Node("Transpose", name, [normalized], ("perm", new long[] { 0, 3, 1, 2 }));
    }

    private static string SqueezeExcitation(OnnxWriter writer, SqueezeExcitation excitation, string name, string x)
    {
        var pooled = writer.Node("GlobalAveragePool", name + ".avgpool", [x]);
        var squeezed = OnnxExporter.ExportModule(writer, excitation.Fc1, name + ".fc1", pooled);
        var activated = OnnxExporter.ExportModule(writer, excitation.Activation, name + ".activation", squeezed);
        var excited = OnnxExporter.ExportModule(writer, excitation.Fc2, name + ".fc2", activated);
        var scale = OnnxExporter.ExportModule(writer, excitation.ScaleActivation, name + ".scale_activation", excited);
        return writer.Node("Mul", name, [scale, x]);
    }

    private static string Residual(OnnxWriter writer, ResidualBlock block, string name, string x)
    {
        var y = OnnxExporter.ExportModule(writer, block.Block, name + ".block", x);
        if (block.LayerScale is { } layerScale)
        {
            y = writer.Node("Mul", name + ".layer_scale", [writer.Initializer(name + ".layer_scale", layerScale), y]);
        }

        return block.HasShortcut ? writer.Node("Add", name, [y, x]) : y;
    }
}
