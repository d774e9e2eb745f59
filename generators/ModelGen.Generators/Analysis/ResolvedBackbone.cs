using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;

namespace ModelGen.Generators.Analysis;

/// <summary>A backbone with its layout and cut resolved (internal to the analysis; the plan keeps only values).</summary>
internal sealed class ResolvedBackbone(string architecture, string weights, string? onnxPath, BackboneLayout? layout, int cutIndex, string cutDisplay, string batchNorm)
{
    public string Architecture { get; } = architecture;

    public string Weights { get; } = weights;

    public string? OnnxPath { get; } = onnxPath;

    /// <summary>The catalog layout; null for ONNX graphs, which are only read at run time.</summary>
    public BackboneLayout? Layout { get; } = layout;

    public int CutIndex { get; } = cutIndex;

    public string CutDisplay { get; } = cutDisplay;

    public string BatchNorm { get; } = batchNorm;

    public EquatableArray<long> DeclaredShape { get; init; }

    public string? OnnxCut { get; init; }

    public CatalogLayer? CutLayer => Layout?.Layers[CutIndex];

    public int LastIndex => Layout is null ? -1 : Layout.LastIndexWithin(CutIndex);

    /// <summary>How many parameter tensors the cut backbone keeps.</summary>
    public int ParameterCount => CutLayer is { } cut ? cut.FirstParameter + cut.ParameterCount : 0;

    public long ParameterElements => Layout is null ? 0 : Layout.Parameters.Take(ParameterCount).Sum(p => p.Elements);

    public EquatableArray<long> FeatureShape => CutLayer is { } cut
        ? new[] { cut.Output.Channels, cut.Output.Height, cut.Output.Width }.ToEquatableArray()
        : DeclaredShape;

    /// <summary>The layers inside the cut, in run order.</summary>
    public IEnumerable<CatalogLayer> LayersInModel => Layout is null ? [] : Layout.Layers.Take(LastIndex + 1);

    public BackbonePlan ToPlan(ModelSpec spec) => new(
        Architecture,
        Weights,
        OnnxPath,
        Layout is null ? OnnxCut : CutLayer!.Name,
        CutDisplay,
        FeatureShape,
        ParameterElements,
        BatchNorm);

    /// <summary>A <c>Layers</c> constant per layer inside the cut (and per Keras alias), in run order.</summary>
    public EquatableArray<LayerConstant> LayerConstants()
    {
        if (Layout is null)
        {
            return OnnxCut is null ? EquatableArray<LayerConstant>.Empty : new[] { new LayerConstant(Identifiers.Layer(OnnxCut), OnnxCut) }.ToEquatableArray();
        }

        var inModel = new HashSet<string>(LayersInModel.Select(l => l.Name));
        var constants = new List<LayerConstant>();
        var used = new HashSet<string>();
        foreach (var alias in Layout.Aliases.Where(a => inModel.Contains(a.Last) && !a.Name.EndsWith("_Output_0", System.StringComparison.Ordinal)))
        {
            Add(alias.Name);
        }

        foreach (var layer in LayersInModel)
        {
            Add(layer.Name);
        }

        return constants.ToEquatableArray();

        void Add(string name)
        {
            var member = Identifiers.Layer(name);
            if (used.Add(member))
            {
                constants.Add(new LayerConstant(member, name));
            }
        }
    }
}

/// <summary>A phase plan with the freeze policy it came from (for the summary's trainable column).</summary>
internal sealed record ResolvedPhase(PhasePlan Plan, FreezeSpec Freeze);
