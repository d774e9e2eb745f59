using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Rules for <c>head</c>: one flatten or global pooling before the first dense layer, a dense layer last,
/// and the size of every layer, from the backbone's feature shape.
/// </summary>
internal static class HeadRules
{
    /// <summary>The head's layers with their sizes, or null after reporting what is wrong.</summary>
    public static List<HeadLayerPlan>? Analyze(ModelSpec spec, EquatableArray<long> featureShape, DiagnosticBag diagnostics)
    {
        if (spec.Head.Count == 0)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidHead, spec.HeadLocation, "The head is empty; end it with a dense layer, e.g. [global_avg_pool, { dense: 2, activation: softmax }]");
            return null;
        }

        var plans = new List<HeadLayerPlan>();
        long? flat = null;
        var shapeText = string.Join("x", featureShape);
        foreach (var item in spec.Head)
        {
            var layer = item.Layer;
            switch (layer.Kind)
            {
                case HeadLayerKind.Flatten or HeadLayerKind.GlobalAveragePool or HeadLayerKind.GlobalMaxPool:
                    if (flat is not null)
                    {
                        diagnostics.Add(DiagnosticDescriptors.InvalidHead, item.Location, $"'{SpecWords.HeadLayers.WordOf(layer.Kind)}' needs the backbone's feature map ({shapeText}), but an earlier head layer already made it flat; keep one flatten or global pooling layer");
                        return null;
                    }

                    flat = layer.Kind == HeadLayerKind.Flatten ? featureShape.Aggregate(1L, (a, b) => a * b) : featureShape[0];
                    plans.Add(new HeadLayerPlan(layer, 0, $"({flat})", 0));
                    break;
                case HeadLayerKind.Dense:
                    if (flat is null)
                    {
                        diagnostics.Add(DiagnosticDescriptors.InvalidHead, item.Location, $"A dense layer needs a flat input, but here it would get the feature map {shapeText}; put 'flatten' or 'global_avg_pool' before the first dense layer");
                        return null;
                    }

                    plans.Add(new HeadLayerPlan(layer, flat.Value, $"({layer.Units})", (flat.Value * layer.Units) + layer.Units));
                    flat = layer.Units;
                    break;
                default:
                    var shape = flat is null ? "(" + string.Join(", ", featureShape) + ")" : $"({flat})";
                    plans.Add(new HeadLayerPlan(layer, 0, shape, 0));
                    break;
            }
        }

        if (spec.Head[spec.Head.Count - 1].Kind != HeadLayerKind.Dense)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidHead, spec.Head[spec.Head.Count - 1].Location, "The head must end with a dense layer that gives the class scores, e.g. { dense: 1, activation: sigmoid } for two classes");
            return null;
        }

        return plans;
    }
}
