using System.Linq;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Spec;
using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Rules for each phase: its freeze policy resolved to a typed boundary (the layer must lie inside the
/// cut), and whether it can train on cached features.
/// </summary>
internal static class PhaseRules
{
    /// <summary>The phase resolved, or null after reporting what is wrong.</summary>
    public static ResolvedPhase? Analyze(PhaseSpec phase, ResolvedBackbone backbone, DiagnosticBag diagnostics)
    {
        var boundary = Boundary(phase.Freeze, backbone, diagnostics, out var trainable);
        if (boundary is null)
        {
            return null;
        }

        var plan = new PhasePlan(
            phase.Name,
            phase.Epochs,
            Describe(phase.Freeze),
            boundary,
            trainable,
            phase.BatchSize,
            UsesFeatureCache: phase.FeatureCache && boundary.FreezesAll && phase.Augment is null,
            phase.Augment,
            phase.Optimizer,
            phase.Schedule,
            phase.AccumulateBatches,
            phase.GradClipNorm);
        return new ResolvedPhase(plan, phase.Freeze);
    }

    /// <summary>
    /// The freeze boundary: for catalog backbones the first parameter that trains (checked here); for ONNX
    /// graphs, read only at run time, the spec's layer and kind, which the runtime resolves and checks.
    /// </summary>
    private static FreezeBoundary? Boundary(FreezeSpec freeze, ResolvedBackbone backbone, DiagnosticBag diagnostics, out long? trainable)
    {
        trainable = null;
        if (backbone.Layout is not { } layout)
        {
            return freeze.Kind switch
            {
                FreezeKind.All => FreezeBoundary.All,
                FreezeKind.None => FreezeBoundary.None,
                FreezeKind.TrainableFrom => FreezeBoundary.TrainableFrom(freeze.Layer!.Value.Trim()),
                _ => FreezeBoundary.FrozenThrough(freeze.Layer!.Value.Trim()),
            };
        }

        var total = backbone.ParameterCount;
        int first;
        switch (freeze.Kind)
        {
            case FreezeKind.All:
                first = total;
                break;
            case FreezeKind.None:
                first = 0;
                break;
            default:
                var layer = freeze.Layer!;
                var fromFirst = freeze.Kind == FreezeKind.TrainableFrom;
                if (BackboneRules.ResolveLayer(layout, layer, useFirst: fromFirst, diagnostics) is not { } index)
                {
                    return null;
                }

                if (index > backbone.LastIndex)
                {
                    diagnostics.Add(DiagnosticDescriptors.LayerBeyondCut, layer.Location, layer.Value, backbone.CutDisplay);
                    return null;
                }

                var resolved = layout.Layers[index];
                first = fromFirst ? resolved.FirstParameter : resolved.FirstParameter + resolved.ParameterCount;
                break;
        }

        trainable = layout.Parameters.Skip(first).Take(total - first).Sum(p => p.Elements);
        return first >= total ? FreezeBoundary.All
            : first == 0 ? FreezeBoundary.None
            : FreezeBoundary.TrainableFrom(layout.Parameters[first].Name);
    }

    /// <summary>The freeze policy as the spec writes it, for comments and the summary.</summary>
    public static string Describe(FreezeSpec freeze) => freeze.Kind switch
    {
        FreezeKind.All => "all",
        FreezeKind.None => "none",
        FreezeKind.TrainableFrom => "trainable_from: " + freeze.Layer!.Value,
        _ => "frozen_through: " + freeze.Layer!.Value,
    };
}
