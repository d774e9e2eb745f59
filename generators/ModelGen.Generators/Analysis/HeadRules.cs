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
    /// <summary>The most parameters one dense layer may have: a billion, 4 GB of float32 weights.</summary>
    public const long MaxDenseParameters = 1_000_000_000;

    private static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The head's layers with their sizes, or null after reporting what is wrong. Features of two dimensions
    /// are a transformer's tokens [tokens, width], read by class_token or token_mean; three are a feature map.
    /// </summary>
    public static List<HeadLayerPlan>? Analyze(ModelSpec spec, Architecture architecture, EquatableArray<long> featureShape, DiagnosticBag diagnostics)
    {
        var tokens = featureShape.Count == 2;
        if (spec.Head.Count == 0)
        {
            diagnostics.Add(DiagnosticDescriptors.EmptyHead, spec.HeadLocation);
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
                case HeadLayerKind.Flatten or HeadLayerKind.GlobalAveragePool or HeadLayerKind.GlobalMaxPool or HeadLayerKind.ClassToken or HeadLayerKind.TokenMean:
                    if (flat is not null)
                    {
                        diagnostics.Add(DiagnosticDescriptors.HeadFlattenedTwice, item.Location, SpecWords.HeadLayers.WordOf(layer.Kind), shapeText);
                        return null;
                    }

                    var readsTokens = layer.Kind is HeadLayerKind.ClassToken or HeadLayerKind.TokenMean;
                    if (tokens && !readsTokens)
                    {
                        diagnostics.Add(DiagnosticDescriptors.FeatureMapLayerOnTokens, item.Location, SpecWords.HeadLayers.WordOf(layer.Kind), SpecWords.NameOf(architecture), shapeText);
                        return null;
                    }

                    if (!tokens && readsTokens)
                    {
                        diagnostics.Add(DiagnosticDescriptors.TokenLayerOnFeatureMap, item.Location, SpecWords.HeadLayers.WordOf(layer.Kind), shapeText);
                        return null;
                    }

                    flat = layer.Kind == HeadLayerKind.Flatten ? featureShape.Aggregate(1L, (a, b) => a * b)
                        : tokens ? featureShape[1]
                        : featureShape[0];
                    plans.Add(new HeadLayerPlan(layer, 0, $"({flat})", 0));
                    break;
                case HeadLayerKind.Dense:
                    if (flat is null)
                    {
                        diagnostics.Add(tokens ? DiagnosticDescriptors.DenseBeforeTokenLayer : DiagnosticDescriptors.DenseBeforeFlatten, item.Location, shapeText);
                        return null;
                    }

                    // Issue 18 item 15: a head of 1.7e13 parameters built without a word and overflowed the summary's count.
                    var parameters = ((double)flat.Value * layer.Units) + layer.Units;
                    if (parameters > MaxDenseParameters)
                    {
                        diagnostics.Add(DiagnosticDescriptors.DenseTooLarge, item.Location, Count(layer.Units), Count(flat.Value), Count((long)parameters), Count(MaxDenseParameters));
                        return null;
                    }

                    plans.Add(new HeadLayerPlan(layer, flat.Value, $"({layer.Units})", (long)parameters));
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
            diagnostics.Add(DiagnosticDescriptors.HeadNotEndingInDense, spec.Head[spec.Head.Count - 1].Location);
            return null;
        }

        return plans;
    }
}
