using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Spec;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// The Keras-style <c>model.summary()</c> table, computed at build time: one row per backbone layer
/// (per Keras layer for VGG) and per head layer, with output shape, parameter count and, per phase,
/// whether its parameters train. Parameters are counted as PyTorch does (BatchNorm running statistics
/// are buffers, not parameters).
/// </summary>
internal static class SummaryTable
{
    public static string Write(string className, ModelSpec spec, ResolvedBackbone backbone, IReadOnlyList<HeadLayerPlan> head, IReadOnlyList<ResolvedPhase> phases)
    {
        // One trainable column per distinct freeze policy; a single column when every phase agrees.
        var columns = phases
            .GroupBy(p => p.Plan.Freeze)
            .Select(g => (Title: phases.Count == 1 || phases.All(p => p.Plan.Freeze == g.Key) ? "Trainable" : string.Join("/", g.Select(p => p.Plan.Name)), Boundary: g.Key))
            .ToList();

        var rows = new List<string[]>();
        var boundaries = columns.Select(c => BoundaryIndex(backbone, c.Boundary)).ToList();
        foreach (var (name, type, shape, first, count, parameters) in BackboneRows(backbone))
        {
            var row = new List<string> { $"{name} ({type})", shape, Count(parameters) };
            row.AddRange(boundaries.Select(b => count == 0 ? "-" : first >= b ? "yes" : first + count <= b ? "no" : "partly"));
            rows.Add(row.ToArray());
        }

        var headNames = HeadLayerNames.Of(head.Select(l => l.Layer).ToList());
        for (var i = 0; i < head.Count; i++)
        {
            var layer = head[i];
            var type = layer.Kind switch
            {
                HeadLayerKind.Dense => "Linear" + (layer.Layer.Activation == Activation.None ? "" : ", " + SpecWords.Activations.WordOf(layer.Layer.Activation)),
                HeadLayerKind.Dropout => "Dropout " + layer.Layer.Rate.ToString("0.##", CultureInfo.InvariantCulture),
                HeadLayerKind.Flatten => "Flatten",
                HeadLayerKind.GlobalAveragePool => "AdaptiveAvgPool2d",
                HeadLayerKind.ClassToken => "ClassToken",
                HeadLayerKind.TokenMean => "TokenMean",
                _ => "AdaptiveMaxPool2d",
            };
            var row = new List<string> { $"head.{headNames[i]} ({type})", layer.OutputShape, Count(layer.Parameters) };
            row.AddRange(columns.Select(_ => layer.Parameters == 0 ? "-" : "yes"));
            rows.Add(row.ToArray());
        }

        var headers = new List<string> { "Layer (type)", "Output Shape", "Param #" };
        headers.AddRange(columns.Select(c => c.Title));
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Concat([h.Length]).Max()).ToList();

        var text = new StringBuilder();
        var cut = backbone.Layout is null ? "" : $", cut at {backbone.CutDisplay}";
        text.Append($"Model: \"{className}\" ({SpecWords.NameOf(backbone.Architecture)}{cut}; input {spec.Input.Channels}x{spec.Input.Height}x{spec.Input.Width}").Append(spec.Input.Channels == 1 ? ", repeated to 3 channels" : "").Append(")\n");
        var rule = new string('=', widths.Sum() + (2 * (widths.Count - 1)));
        AppendRow(text, headers, widths);
        text.Append(rule).Append('\n');
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        text.Append(rule).Append('\n');
        var headParameters = head.Sum(l => l.Parameters);
        var total = backbone.ParameterElements + headParameters;
        text.Append("Total params: ").Append(Count(total)).Append('\n');
        foreach (var phase in phases)
        {
            var trainable = headParameters + (phase.Plan.TrainableBackboneParameters ?? 0);
            var label = phases.Count == 1 ? "" : $" ({phase.Plan.Name})";
            text.Append("Trainable params").Append(label).Append(": ").Append(Count(trainable)).Append('\n');
            text.Append("Non-trainable params").Append(label).Append(": ").Append(Count(total - trainable)).Append('\n');
        }

        if (backbone.Layout is null)
        {
            text.Append("(ONNX graph: its layers and parameters are read when the model is created.)\n");
        }

        return text.ToString();
    }

    private static IEnumerable<(string Name, string Type, string Shape, int First, int Count, long Parameters)> BackboneRows(ResolvedBackbone backbone)
    {
        if (backbone.Layout is not { } layout)
        {
            yield return ("backbone", "ONNX graph", "(" + string.Join(", ", backbone.DeclaredShape) + ")", 0, 0, 0);
            yield break;
        }

        var inModel = backbone.LayersInModel.ToList();
        var names = new HashSet<string>(inModel.Select(l => l.Name));
        if (layout.Aliases.Any(a => a.IsSummaryRow))
        {
            foreach (var alias in layout.Aliases.Where(a => a.IsSummaryRow && names.Contains(a.Last)))
            {
                var first = layout.Find(alias.First)!;
                var last = layout.Find(alias.Last)!;
                var covered = inModel.Skip(layout.IndexOf(alias.First)).Take(layout.IndexOf(alias.Last) - layout.IndexOf(alias.First) + 1).ToList();
                var type = string.Join("+", covered.Select(l => l.Type));
                var count = last.FirstParameter + last.ParameterCount - first.FirstParameter;
                yield return (alias.Name, type, Shape(last.Output), first.FirstParameter, count, covered.Sum(l => l.Parameters));
            }

            yield break;
        }

        // A row per layer the backbone can be cut after that has no such layers inside it: the stem's
        // layers and each block.
        for (var i = 0; i < inModel.Count; i++)
        {
            var layer = inModel[i];
            if (ResolvedBackbone.IsSummaryRow(inModel, i))
            {
                yield return (layer.Name, layer.Type, Shape(layer.Output), layer.FirstParameter, layer.ParameterCount, layer.Parameters);
            }
        }
    }

    private static int BoundaryIndex(ResolvedBackbone backbone, FreezeBoundary boundary)
    {
        if (backbone.Layout is null || boundary.Kind == FreezeKind.All)
        {
            return int.MaxValue;
        }

        if (boundary.Kind == FreezeKind.None)
        {
            return 0;
        }

        for (var i = 0; i < backbone.Layout.Parameters.Count; i++)
        {
            if (backbone.Layout.Parameters[i].Name == boundary.Layer)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static string Shape(FeatureMap map) => "(" + string.Join(", ", map.Shape) + ")";

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, IReadOnlyList<int> widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            line.Append(i == 2 ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
            if (i < cells.Count - 1)
            {
                line.Append("  ");
            }
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
