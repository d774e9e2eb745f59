using ModelGen.Shared;

namespace ModelGen.Backbones;

/// <summary>The spec (and torchvision) names of the architectures: <c>vgg16</c>, <c>resnet18_mlnet</c>, <c>onnx</c>.</summary>
public static class ArchitectureNames
{
    /// <summary>Every name valid for <c>backbone.architecture</c>, in catalog order.</summary>
    public static IReadOnlyList<string> All => SpecWords.Architectures.Words;

    /// <summary>The name of <paramref name="architecture"/>.</summary>
    public static string NameOf(Architecture architecture) => SpecWords.NameOf(architecture);

    /// <summary>The architecture a name stands for (ignoring case).</summary>
    /// <exception cref="ArgumentException">The name is not an architecture; the message lists the valid ones.</exception>
    public static Architecture Parse(string name) =>
        SpecWords.Architectures.TryParse(name, out var architecture)
            ? architecture
            : throw new ArgumentException($"'{name}' is not an architecture; valid: {string.Join(", ", All)}.", nameof(name));
}
