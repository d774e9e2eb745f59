using ModelGen.Weights;

namespace ModelGen.Backbones;

/// <summary>Which weights file a backbone definition asks for, with the run-time options applied.</summary>
internal static class BackboneWeights
{
    /// <summary>
    /// The weights file for <paramref name="definition"/>, or null for fresh weights (<c>weights: none</c>).
    /// <see cref="ModelOptions.WeightsPath"/> wins: a file is used as it is, a folder replaces the ImageNet folder.
    /// Missing official ImageNet weights, and a spec's <c>https://</c> or <c>hf://</c> weights, are downloaded into the
    /// weights folder (<see cref="WeightsDownload"/>); a spec's <c>weights_sha256</c> is checked for those and for a local file.
    /// </summary>
    /// <exception cref="WeightsException">The file is not there; the message names the file expected and how to make it.</exception>
    public static string? Resolve(BackboneDefinition definition, ModelOptions options) =>
        WeightsLocator.OverrideFile(options.WeightsPath) ?? definition.Weights switch
        {
            WeightsKind.None => null,
            WeightsKind.ImageNet => WeightsLocator.ImageNetOrDownload(definition.ArchitectureName, options.WeightsPath, options.Logger),
            WeightsKind.File => WeightsLocator.Verified(WeightsLocator.SpecFile(definition.WeightsFile ?? "", "backbone.weights", definition.SpecDirectory), definition.WeightsSha256),
            WeightsKind.Url or WeightsKind.HuggingFace => WeightsLocator.Remote(definition.Weights, definition.WeightsUrl ?? "", definition.WeightsSha256, options.WeightsPath, options.Logger),
            _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Weights, "Not a weights kind of this ModelGen runtime; are the generator and the runtime the same version?"),
        };
}
