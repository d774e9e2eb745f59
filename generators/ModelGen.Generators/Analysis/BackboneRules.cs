using System;
using System.Linq;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Rules for <c>backbone</c>: the architecture and weights, the cut (<c>truncate_at</c>), and whether the
/// input size survives every layer up to the cut; ONNX graphs need a path and a declared feature shape.
/// </summary>
internal static class BackboneRules
{
    private static readonly string[] WeightExtensions = [".onnx", ".safetensors", ".pt", ".pth", ".dat"];

    /// <summary>The backbone with its layout and cut, or null after reporting what is wrong.</summary>
    public static ResolvedBackbone? Analyze(ModelSpec spec, DiagnosticBag diagnostics)
    {
        var backbone = spec.Backbone;
        var name = backbone.Architecture.Value;
        var weights = backbone.Weights;
        var weightsValue = weights.Value.Trim();
        var weightsKind = SpecWords.Weights.TryParse(weightsValue, out var word) ? word
            : RemoteWeights.IsUrl(weightsValue) ? WeightsKind.Url
            : RemoteWeights.IsHub(weightsValue) ? WeightsKind.HuggingFace
            : WeightsKind.File;
        if (weightsKind == WeightsKind.File && !WeightExtensions.Any(ext => weightsValue.EndsWith(ext, StringComparison.OrdinalIgnoreCase)))
        {
            diagnostics.Add(DiagnosticDescriptors.UnsupportedWeights, weights.Location, weightsValue);
            return null;
        }

        if (!CheckSha256(backbone, weightsKind, weightsValue, diagnostics))
        {
            return null;
        }

        var weightsFile = weightsKind == WeightsKind.File ? weightsValue : null;
        var weightsUrl = weightsKind is WeightsKind.Url or WeightsKind.HuggingFace ? weightsValue : null;
        var weightsSha256 = backbone.WeightsSha256?.Value.Trim().ToLowerInvariant();
        if (!SpecWords.Architectures.TryParse(name, out var architecture))
        {
            diagnostics.Add(
                DiagnosticDescriptors.UnknownArchitecture,
                backbone.Architecture.Location,
                backbone.Architecture.Value,
                Suggestions.DidYouMean(name, BackboneCatalog.ValidNames),
                string.Join(", ", BackboneCatalog.ValidNames));
            return null;
        }

        if (architecture == Architecture.Onnx)
        {
            return AnalyzeOnnx(spec, weightsKind, diagnostics);
        }

        if (backbone.Path is { } path)
        {
            diagnostics.Add(DiagnosticDescriptors.PathWithoutOnnx, path.Location, name);
            return null;
        }

        if (backbone.FeatureShape is { } declared)
        {
            diagnostics.Add(DiagnosticDescriptors.FeatureShapeWithoutOnnx, declared.Location, name);
            return null;
        }

        if (SpecWords.FamilyOf(architecture) == ArchitectureFamily.VisionTransformer
            && VisionTransformerLayout.PatchSize(architecture) is var patch
            && (spec.Input.Height % patch != 0 || spec.Input.Width % patch != 0))
        {
            static int Round(int size, int patch) => Math.Max(patch, (size + (patch / 2)) / patch * patch);
            diagnostics.Add(
                DiagnosticDescriptors.InputNotMultipleOfPatch,
                spec.Input.SizeLocation,
                name,
                patch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{spec.Input.Height}x{spec.Input.Width}",
                $"{Round(spec.Input.Height, patch)}x{Round(spec.Input.Width, patch)} (224x224 is what its weights were trained at)");
            return null;
        }

        var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, spec.Input.Height, spec.Input.Width));
        var cutIndex = layout.IndexOf(layout.DefaultCut);
        var cutDisplay = layout.Aliases.FirstOrDefault(a => a.IsSummaryRow && a.Last == layout.DefaultCut)?.Name ?? layout.DefaultCut;
        if (backbone.TruncateAt is { } truncate)
        {
            var resolved = ResolveLayer(layout, truncate, useFirst: false, diagnostics);
            if (resolved is null)
            {
                return null;
            }

            var layer = layout.Layers[resolved.Value];
            if (layer.CutContainer == layer.Name)
            {
                var blocks = layout.Aliases.Where(a => a.IsSummaryRow && layout.Find(a.Last)?.CanCut == true && a.Last != layout.DefaultCut).Select(a => a.Name).ToList();
                var shown = blocks.Count > 2 ? $"{blocks[0]}..{blocks[blocks.Count - 1]}" : string.Join(", ", blocks);
                diagnostics.Add(DiagnosticDescriptors.NotACutPoint, truncate.Location, truncate.Value, layer.Type, name, shown, layout.DefaultCut);
                return null;
            }

            if (!layer.CanCut)
            {
                var container = layout.Find(layer.CutContainer!)!;
                var previous = Enumerable.Range(0, layout.IndexOf(container.Name)).Reverse().Select(i => layout.Layers[i]).FirstOrDefault(l => l.CanCut);
                if (previous is null)
                {
                    diagnostics.Add(DiagnosticDescriptors.CannotCutInsideFirstBlock, truncate.Location, truncate.Value, container.Type, container.Name);
                }
                else
                {
                    diagnostics.Add(DiagnosticDescriptors.CannotCutInsideBlock, truncate.Location, truncate.Value, container.Type, container.Name, previous.Name);
                }

                return null;
            }

            cutIndex = resolved.Value;
            cutDisplay = truncate.Value;
        }

        var lastIndex = layout.LastIndexWithin(cutIndex);
        var collapsed = layout.Layers.Take(lastIndex + 1).FirstOrDefault(l => l.Output.IsEmpty);
        if (collapsed is not null)
        {
            diagnostics.Add(
                DiagnosticDescriptors.SpatialCollapse,
                spec.Input.SizeLocation,
                $"{spec.Input.Height}x{spec.Input.Width}",
                collapsed.Name,
                collapsed.Type,
                MinimumSize(architecture, layout.Layers[cutIndex].Name));
            return null;
        }

        if (layout.MismatchBlock is { } block && layout.IndexOf(block) <= lastIndex)
        {
            diagnostics.Add(
                DiagnosticDescriptors.ResidualMismatch,
                spec.Input.SizeLocation,
                $"{spec.Input.Height}x{spec.Input.Width}",
                block,
                layout.MismatchMain!.Value.ToString(),
                layout.MismatchShortcut!.Value.ToString(),
                WorkingSizes(architecture, layout.Layers[cutIndex].Name, Math.Max(spec.Input.Height, spec.Input.Width)));
            return null;
        }

        return new ResolvedBackbone(architecture, weightsKind, weightsFile, layout, cutIndex, cutDisplay, spec.BatchNorm) { WeightsUrl = weightsUrl, WeightsSha256 = weightsSha256 };
    }

    /// <summary>
    /// <c>weights_sha256</c>: required (and 64 hex digits) for a URL, optional for the Hub and a local file (both
    /// checked at run time when given), refused with imagenet and none, which name no file of the spec's.
    /// </summary>
    private static bool CheckSha256(BackboneSpec backbone, WeightsKind kind, string value, DiagnosticBag diagnostics)
    {
        const string Example = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        var sha256 = backbone.WeightsSha256;
        if (kind == WeightsKind.Url && RemoteWeights.UrlFileName(value) is null)
        {
            diagnostics.Add(DiagnosticDescriptors.UnsupportedWeightsUrl, backbone.Weights.Location, value);
            return false;
        }

        if (kind == WeightsKind.HuggingFace && RemoteWeights.ParseHub(value) is null)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidHubReference, backbone.Weights.Location, value);
            return false;
        }

        if (sha256 is null)
        {
            if (kind == WeightsKind.Url)
            {
                diagnostics.Add(DiagnosticDescriptors.UrlWithoutSha256, backbone.Weights.Location, value, Example);
                return false;
            }

            return true;
        }

        if (kind is WeightsKind.ImageNet or WeightsKind.None)
        {
            diagnostics.Add(DiagnosticDescriptors.Sha256WithoutFile, sha256.Location, SpecWords.Weights.WordOf(kind));
            return false;
        }

        var text = sha256.Value.Trim();
        if (!RemoteWeights.IsSha256(text))
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidSha256, sha256.Location, text, text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Example);
            return false;
        }

        return true;
    }

    /// <summary>The nearest square sizes around <paramref name="size"/> whose residual branches line up, e.g. "96x96 or 128x128".</summary>
    private static string WorkingSizes(Architecture architecture, string cut, int size)
    {
        bool Works(int s)
        {
            var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, s, s));
            var last = layout.LastIndexWithin(layout.IndexOf(cut));
            return !layout.Layers.Take(last + 1).Any(l => l.Output.IsEmpty)
                && (layout.MismatchBlock is null || layout.IndexOf(layout.MismatchBlock) > last);
        }

        // Multiples of 32 first: they are what people pick, and they line up for every ResNet.
        var below = Enumerable.Range(1, size / 32).Select(k => k * 32).Where(s => s < size).Reverse().FirstOrDefault(Works);
        var above = Enumerable.Range((size / 32) + 1, 4096 / 32).Select(k => k * 32).Where(s => s <= 4096).FirstOrDefault(Works);
        var sizes = new[] { below, above }.Where(s => s > 0).Select(s => $"{s}x{s}");
        return string.Join(" or ", sizes);
    }

    private static ResolvedBackbone? AnalyzeOnnx(ModelSpec spec, WeightsKind weightsKind, DiagnosticBag diagnostics)
    {
        var backbone = spec.Backbone;
        if (backbone.Path is null)
        {
            diagnostics.Add(DiagnosticDescriptors.OnnxWithoutPath, backbone.Architecture.Location);
            return null;
        }

        if (!backbone.Path.Value.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Add(DiagnosticDescriptors.UnsupportedWeights, backbone.Path.Location, backbone.Path.Value);
            return null;
        }

        if (weightsKind is WeightsKind.File or WeightsKind.Url or WeightsKind.HuggingFace)
        {
            diagnostics.Add(DiagnosticDescriptors.WeightsFileWithOnnx, backbone.Weights.Location);
            return null;
        }

        if (backbone.FeatureShape is null)
        {
            diagnostics.Add(DiagnosticDescriptors.OnnxWithoutFeatureShape, backbone.Architecture.Location);
            return null;
        }

        return new ResolvedBackbone(Architecture.Onnx, weightsKind, null, null, -1, backbone.TruncateAt?.Value ?? "(graph output)", spec.BatchNorm)
        {
            OnnxPath = backbone.Path.Value,
            DeclaredShape = backbone.FeatureShape.Value,
            OnnxCut = backbone.TruncateAt?.Value,
        };
    }

    /// <summary>The index of the layer a spec names (torchvision path or Keras alias), reporting unknown names.</summary>
    public static int? ResolveLayer(BackboneLayout layout, Located<string> name, bool useFirst, DiagnosticBag diagnostics)
    {
        var text = name.Value.Trim();
        if (layout.FindAlias(text) is { } alias)
        {
            return layout.IndexOf(useFirst ? alias.First : alias.Last);
        }

        for (var i = 0; i < layout.Layers.Count; i++)
        {
            if (string.Equals(layout.Layers[i].Name, text, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        var candidates = layout.Aliases.Select(a => a.Name).Concat(layout.Layers.Select(l => l.Name)).ToList();
        var examples = (layout.Aliases.Any(a => a.IsSummaryRow) ? layout.Aliases.Where(a => a.IsSummaryRow).Select(a => a.Name) : layout.Layers.Where(l => l.Depth == 0 || (l.Depth == 1 && l.CanCut)).Select(l => l.Name)).ToList();
        var shown = string.Join(", ", examples.Take(24)) + (examples.Count > 24 ? ", ..." : "");
        diagnostics.Add(DiagnosticDescriptors.UnknownLayer, name.Location, text, layout.Architecture, Suggestions.DidYouMean(text, candidates), shown);
        return null;
    }

    /// <summary>The smallest square input that keeps every layer up to the cut non-empty, as "NxN".</summary>
    private static string MinimumSize(Architecture architecture, string cut)
    {
        for (var size = 1; size <= 4096; size++)
        {
            var layout = BackboneCatalog.Build(architecture, new FeatureMap(3, size, size));
            var last = layout.LastIndexWithin(layout.IndexOf(cut));
            if (!layout.Layers.Take(last + 1).Any(l => l.Output.IsEmpty))
            {
                return $"{size}x{size}";
            }
        }

        return "a larger size";
    }
}
