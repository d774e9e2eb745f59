namespace ModelGen.Backbones;

/// <summary>
/// What a generated model asks the runtime to build: the spec's <c>backbone</c> as the generator resolved
/// it, with the shapes it computed at build time (checked again here when the model is created).
/// </summary>
/// <param name="Architecture">The catalog architecture, or <see cref="Architecture.Onnx"/>.</param>
/// <param name="Weights">ImageNet weights, fresh ones, or <paramref name="WeightsFile"/>.</param>
/// <param name="CutAt">The layer whose output is the feature map (torchvision module path or ONNX node); null for the graph's end.</param>
/// <param name="InputShape">[3, height, width].</param>
/// <param name="FeatureShape">[channels, height, width] of the backbone's output.</param>
/// <param name="SourceChannels">1 when images are read as gray (and repeated to 3 channels), else 3.</param>
/// <param name="BatchNorm">How batch-norm layers behave while the backbone trains (spec key: batch_norm).</param>
/// <param name="SpecDirectory">
/// The spec file's folder, relative to the project folder (empty for the project folder itself), or absolute
/// when the spec is outside the project; files the spec names are looked for from there (see <see cref="Weights.WeightsLocator.SpecFile"/>).
/// </param>
/// <param name="WeightsFile">The weights file when <paramref name="Weights"/> is a file (relative to the spec's folder or absolute).</param>
/// <param name="OnnxPath">For ONNX backbones: the graph file.</param>
/// <param name="WeightsUrl">
/// When <paramref name="Weights"/> is <see cref="WeightsKind.Url"/> or <see cref="WeightsKind.HuggingFace"/>: the
/// <c>https://</c> address or the <c>hf://owner/repo/file[@revision]</c> reference the file is downloaded from.
/// </param>
/// <param name="WeightsSha256">The expected SHA-256 of the weights file (spec key: <c>backbone.weights_sha256</c>), 64 hex digits; checked when given.</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record BackboneDefinition(
    Architecture Architecture,
    WeightsKind Weights,
    string? CutAt,
    long[] InputShape,
    long[] FeatureShape,
    int SourceChannels,
    BatchNormMode BatchNorm,
    string SpecDirectory,
    string? WeightsFile = null,
    string? OnnxPath = null,
    string? WeightsUrl = null,
    string? WeightsSha256 = null)
{
    /// <summary>The architecture's spec (and torchvision) name: "vgg16", "resnet18_mlnet", "onnx".</summary>
    public string ArchitectureName => Shared.SpecWords.NameOf(Architecture);

    /// <summary>Input height.</summary>
    public int Height => (int)InputShape[1];

    /// <summary>Input width.</summary>
    public int Width => (int)InputShape[2];
}
