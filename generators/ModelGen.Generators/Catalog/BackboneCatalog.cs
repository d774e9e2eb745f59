using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;

namespace ModelGen.Generators.Catalog;

/// <summary>
/// The layouts of the catalog's backbones, built per family from the shared architecture table
/// (<see cref="SpecWords.Architectures"/>), the same table the runtime's factory dispatches on.
/// </summary>
internal static class BackboneCatalog
{
    /// <summary>Every catalog architecture, in a stable order (ONNX graphs aside).</summary>
    public static IReadOnlyList<Architecture> Architectures { get; } =
        Enum.GetValues(typeof(Architecture)).Cast<Architecture>().Where(a => a != Architecture.Onnx).ToList();

    /// <summary>Every name valid for <c>backbone.architecture</c>.</summary>
    public static IReadOnlyList<string> ValidNames => SpecWords.Architectures.Words;

    /// <summary>The layout of an architecture for an input shape (3 channels: the backbones are RGB).</summary>
    /// <exception cref="ArgumentException">The architecture is an ONNX graph, which has no catalog layout.</exception>
    public static BackboneLayout Build(Architecture architecture, FeatureMap input)
    {
        var name = SpecWords.NameOf(architecture);
        return SpecWords.FamilyOf(architecture) switch
        {
            ArchitectureFamily.Vgg => VggLayouts.Build(name, input),
            ArchitectureFamily.ResNet => ResNetLayouts.Build(name, input),
            ArchitectureFamily.AlexNet => AlexNetLayout.Build(input),
            ArchitectureFamily.MobileNetV2 => MobileNetV2Layout.Build(input),
            ArchitectureFamily.ResNet18Mlnet => ResNet18MlnetLayout.Build(input),
            ArchitectureFamily.MobileNetV3 => MobileNetV3Layout.Build(name, input),
            ArchitectureFamily.EfficientNet => EfficientNetLayouts.Build(name, input),
            ArchitectureFamily.ConvNeXt => ConvNeXtLayouts.Build(name, input),
            ArchitectureFamily.DenseNet => DenseNetLayouts.Build(name, input),
            ArchitectureFamily.RegNet => RegNetLayouts.Build(name, input),
            ArchitectureFamily.GoogLeNet => InceptionLayouts.GoogLeNet(input),
            ArchitectureFamily.InceptionV3 => InceptionLayouts.InceptionV3(input),
            ArchitectureFamily.VisionTransformer => VisionTransformerLayout.Build(architecture, name, input),
            ArchitectureFamily.Swin => SwinLayout.Build(name, input),
            _ => throw new ArgumentException("ONNX graphs are read at run time and have no catalog layout.", nameof(architecture)),
        };
    }

    /// <summary>The layout of an architecture given by its spec name (tests and benchmarks).</summary>
    public static BackboneLayout Build(string architecture, FeatureMap input) =>
        SpecWords.Architectures.TryParse(architecture, out var parsed)
            ? Build(parsed, input)
            : throw new ArgumentException($"'{architecture}' is not a catalog architecture.", nameof(architecture));
}
