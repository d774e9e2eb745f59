using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Generators.Catalog;

/// <summary>The backbones the generator knows, by their spec names (lower case).</summary>
internal static class BackboneCatalog
{
    /// <summary>The architecture that takes its graph from an ONNX file (<c>backbone.path</c>).</summary>
    public const string Onnx = "onnx";

    private static readonly Dictionary<string, Func<FeatureMap, BackboneLayout>> Builders = new(StringComparer.Ordinal)
    {
        ["vgg11"] = input => VggLayouts.Build("vgg11", input),
        ["vgg11_bn"] = input => VggLayouts.Build("vgg11_bn", input),
        ["vgg13"] = input => VggLayouts.Build("vgg13", input),
        ["vgg13_bn"] = input => VggLayouts.Build("vgg13_bn", input),
        ["vgg16"] = input => VggLayouts.Build("vgg16", input),
        ["vgg16_bn"] = input => VggLayouts.Build("vgg16_bn", input),
        ["vgg19"] = input => VggLayouts.Build("vgg19", input),
        ["vgg19_bn"] = input => VggLayouts.Build("vgg19_bn", input),
        ["resnet18"] = input => ResNetLayouts.Build("resnet18", input),
        ["resnet34"] = input => ResNetLayouts.Build("resnet34", input),
        ["resnet50"] = input => ResNetLayouts.Build("resnet50", input),
        ["resnet101"] = input => ResNetLayouts.Build("resnet101", input),
        ["resnet152"] = input => ResNetLayouts.Build("resnet152", input),
        ["resnext50_32x4d"] = input => ResNetLayouts.Build("resnext50_32x4d", input),
        ["resnext101_32x8d"] = input => ResNetLayouts.Build("resnext101_32x8d", input),
        ["wide_resnet50_2"] = input => ResNetLayouts.Build("wide_resnet50_2", input),
        ["wide_resnet101_2"] = input => ResNetLayouts.Build("wide_resnet101_2", input),
        ["alexnet"] = AlexNetLayout.Build,
        ["mobilenet_v2"] = MobileNetV2Layout.Build,
        ["resnet18_mlnet"] = ResNet18MlnetLayout.Build,
    };

    /// <summary>Every catalog architecture, in a stable order (ONNX graphs aside).</summary>
    public static IReadOnlyList<string> Architectures { get; } = Builders.Keys.ToList();

    /// <summary>Every name valid for <c>backbone.architecture</c>.</summary>
    public static IReadOnlyList<string> ValidNames { get; } = Architectures.Concat([Onnx]).ToList();

    public static bool Contains(string architecture) => Builders.ContainsKey(architecture);

    /// <summary>The layout of an architecture for an input shape (3 channels: the backbones are RGB).</summary>
    public static BackboneLayout Build(string architecture, FeatureMap input) => Builders[architecture](input);
}
