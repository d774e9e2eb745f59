using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Model;
using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Analysis;

/// <summary>A backbone with its layout and cut resolved (internal to the analysis; the plan keeps only values).</summary>
internal sealed class ResolvedBackbone(Architecture architecture, WeightsKind weights, string? weightsFile, BackboneLayout? layout, int cutIndex, string cutDisplay, BatchNormMode batchNorm)
{
    public Architecture Architecture { get; } = architecture;

    public WeightsKind Weights { get; } = weights;

    public string? WeightsFile { get; } = weightsFile;

    /// <summary>The catalog layout; null for ONNX graphs, which are only read at run time.</summary>
    public BackboneLayout? Layout { get; } = layout;

    public int CutIndex { get; } = cutIndex;

    public string CutDisplay { get; } = cutDisplay;

    public BatchNormMode BatchNorm { get; } = batchNorm;

    public string? OnnxPath { get; init; }

    /// <summary>The <c>https://</c> or <c>hf://</c> address the weights are downloaded from, as the spec writes it.</summary>
    public string? WeightsUrl { get; init; }

    /// <summary>The expected SHA-256 of the weights file (64 lower-case hex digits), from <c>backbone.weights_sha256</c>.</summary>
    public string? WeightsSha256 { get; init; }

    public EquatableArray<long> DeclaredShape { get; init; }

    public string? OnnxCut { get; init; }

    public CatalogLayer? CutLayer => Layout?.Layers[CutIndex];

    public int LastIndex => Layout is null ? -1 : Layout.LastIndexWithin(CutIndex);

    /// <summary>How many parameter tensors the cut backbone keeps.</summary>
    public int ParameterCount => CutLayer is { } cut ? cut.FirstParameter + cut.ParameterCount : 0;

    public long ParameterElements => Layout is null ? 0 : Layout.Parameters.Take(ParameterCount).Sum(p => p.Elements);

    /// <summary>The features of one image: [channels, height, width], or [tokens, width] for a transformer.</summary>
    public EquatableArray<long> FeatureShape => CutLayer is { } cut
        ? cut.Output.Shape.ToEquatableArray()
        : DeclaredShape;

    /// <summary>The layers inside the cut, in run order.</summary>
    public IEnumerable<CatalogLayer> LayersInModel => Layout is null ? [] : Layout.Layers.Take(LastIndex + 1);

    public BackbonePlan ToPlan() => new(
        Architecture,
        Weights,
        WeightsFile,
        OnnxPath,
        Layout is null ? OnnxCut : CutLayer!.Name,
        CutDisplay,
        FeatureShape,
        ParameterElements,
        BatchNorm,
        WeightsUrl,
        WeightsSha256);

    /// <summary>
    /// A <c>Layers</c> constant for each name a user would write in <c>truncate_at</c> or <c>freeze</c>:
    /// the rows of the summary table (Keras names for VGG; the stem's layers and each block otherwise)
    /// and the top-level stages, inside the cut, in run order. Every other torchvision path still works
    /// in a spec; it just gets no constant.
    /// </summary>
    public EquatableArray<LayerConstant> LayerConstants()
    {
        if (Layout is null)
        {
            return OnnxCut is null ? EquatableArray<LayerConstant>.Empty : new[] { new LayerConstant(ConstantName(OnnxCut), OnnxCut) }.ToEquatableArray();
        }

        var inModel = LayersInModel.ToList();
        var names = new HashSet<string>(inModel.Select(l => l.Name));
        var summaryAliases = Layout.Aliases.Where(a => a.IsSummaryRow && names.Contains(a.Last)).Select(a => a.Name).ToList();
        IEnumerable<string> wanted = summaryAliases.Count > 0
            ? summaryAliases
            : inModel.Where((layer, i) => layer.Depth == 0 || IsSummaryRow(inModel, i)).Select(l => l.Name);

        var constants = new List<LayerConstant>();
        var used = new HashSet<string>();
        foreach (var name in wanted)
        {
            var member = ConstantName(name);
            if (used.Add(member))
            {
                constants.Add(new LayerConstant(member, name));
            }
        }

        return constants.ToEquatableArray();
    }

    // A constant cannot be named like the class that holds it (CS0542): an ONNX layer called "layers".
    private static string ConstantName(string layer) =>
        Identifiers.Layer(layer) is var member && member == GeneratedNames.LayersClass ? member + "_" : member;

    /// <summary>
    /// Whether a layer is a row of the summary table: one the backbone can be cut after that has no such
    /// layers inside it (the stem's layers and each block).
    /// </summary>
    public static bool IsSummaryRow(IReadOnlyList<CatalogLayer> layers, int index) =>
        layers[index].CanCut
        && !layers.Skip(index + 1).TakeWhile(l => l.Name.StartsWith(layers[index].Name + ".", System.StringComparison.Ordinal)).Any(l => l.CanCut);
}

/// <summary>A phase plan with the freeze policy it came from (for the summary's trainable column).</summary>
internal sealed record ResolvedPhase(PhasePlan Plan, Spec.FreezeSpec Freeze);
