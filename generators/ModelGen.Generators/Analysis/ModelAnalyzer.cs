using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Checks a read spec against the backbone catalog and C#'s rules, and resolves it into a
/// <see cref="ModelPlan"/>: names, the cut, build-time shapes, the head, the loss and every phase.
/// </summary>
internal static class ModelAnalyzer
{
    private static readonly string[] WeightExtensions = [".onnx", ".safetensors", ".pt", ".pth", ".dat"];

    public static ModelPlan? Analyze(ModelSpec spec, ProjectOptions options, DiagnosticBag diagnostics)
    {
        var className = CheckIdentifier(spec.Model, "class name", diagnostics);
        var ns = spec.Namespace is { } given
            ? (Identifiers.WhyInvalidNamespace(given.Value) is { } why ? Report(diagnostics, DiagnosticDescriptors.InvalidIdentifier, given.Location, given.Value, "namespace", why) : given.Value)
            : options.RootNamespace;
        var labels = AnalyzeLabels(spec.Labels, diagnostics);
        var input = new InputPlan(spec.Input.Height, spec.Input.Width, spec.Input.Channels);
        var backbone = AnalyzeBackbone(spec, diagnostics);
        if (backbone is null || className is null || ns is null || labels is null)
        {
            return null;
        }

        var head = AnalyzeHead(spec, backbone.FeatureShape, diagnostics);
        var loss = head is null ? null : AnalyzeLoss(spec, head, labels.Count, diagnostics);
        var phases = spec.Training.Phases.Select(phase => AnalyzePhase(phase, backbone, diagnostics)).ToList();
        if (head is null || loss is null || phases.Any(p => p is null) || diagnostics.HasErrors)
        {
            return null;
        }

        var training = new TrainingPlan(
            spec.Training.Seed,
            spec.Training.Metrics.ToEquatableArray(),
            spec.Training.EarlyStopping is { } e ? new EarlyStoppingPlan(e.Monitor, e.Patience, e.RestoreBest, e.MinDelta) : null,
            spec.Training.Checkpoints is { } c ? new CheckpointPlan(c.Directory, c.Keep) : null,
            spec.Training.ValidationSplit,
            phases.Select(p => p!.Plan).ToEquatableArray());
        var relativePath = RelativePath(spec.FilePath, options.ProjectDirectory);
        var specDirectory = relativePath is null ? DirectoryOf(spec.FilePath) : DirectoryOf(relativePath);
        var backbonePlan = backbone.ToPlan(spec);
        return new ModelPlan(
            HintName: (ns.Length == 0 ? "" : ns + ".") + className + ".g.cs",
            SpecPath: spec.FilePath.Replace('\\', '/'),
            SpecFileName: relativePath ?? Path.GetFileName(spec.FilePath),
            SpecDirectory: specDirectory,
            Namespace: ns,
            ClassName: className,
            Description: spec.Description,
            Input: input,
            Labels: labels.ToEquatableArray(),
            Backbone: backbonePlan,
            Head: head.ToEquatableArray(),
            Loss: loss,
            Training: training,
            LayerConstants: backbone.LayerConstants(),
            Summary: SummaryTable.Write(className, spec, backbone, head, phases.Select(p => p!).ToList()));
    }

    private static string? CheckIdentifier(Located<string> name, string what, DiagnosticBag diagnostics) =>
        Identifiers.WhyInvalid(name.Value) is { } why
            ? Report(diagnostics, DiagnosticDescriptors.InvalidIdentifier, name.Location, name.Value, what, why)
            : name.Value;

    private static string? Report(DiagnosticBag diagnostics, Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SpecLocation location, params string[] arguments)
    {
        diagnostics.Add(descriptor, location, arguments);
        return null;
    }

    private static List<LabelPlan>? AnalyzeLabels(IReadOnlyList<Located<string>>? labels, DiagnosticBag diagnostics)
    {
        var plans = new List<LabelPlan>();
        if (labels is null)
        {
            return plans;
        }

        var ok = true;
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var byMember = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var name = label.Value.Trim();
            var member = Identifiers.Pascal(name, "");
            string? problem = null;
            if (name.Length == 0 || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name is "." or "..")
            {
                problem = $"The label '{label.Value}' cannot be a folder name; labels name the class folders of the data, so use letters, digits, '-' or '_'";
            }
            else if (member.Length == 0)
            {
                problem = $"The label '{label.Value}' has no letters or digits to make an enum member from; use a name such as 'class1'";
            }
            else if (byName.TryGetValue(name, out var earlier))
            {
                problem = $"The label '{label.Value}' is given twice{(earlier == name ? "" : $" (as '{earlier}' and '{name}'; folder names match labels ignoring case)")}; list each class once";
            }
            else if (byMember.TryGetValue(member, out var clash))
            {
                problem = $"The labels '{clash}' and '{name}' both become the enum member '{member}'; rename one of them";
            }

            if (problem is not null)
            {
                diagnostics.Add(DiagnosticDescriptors.InvalidLabel, label.Location, problem);
                ok = false;
                continue;
            }

            byName[name] = name;
            byMember[member] = name;
            plans.Add(new LabelPlan(name, member));
        }

        if (ok && plans.Count == 1)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidLabel, labels[0].Location, "A classifier needs at least two labels; add the other classes, or leave 'labels' out to take them from the data folders");
            ok = false;
        }

        return ok ? plans : null;
    }

    private static ResolvedBackbone? AnalyzeBackbone(ModelSpec spec, DiagnosticBag diagnostics)
    {
        var backbone = spec.Backbone;
        var architecture = backbone.Architecture.Value;
        var weights = backbone.Weights;
        var weightsValue = weights.Value.Trim();
        var weightsKind = weightsValue.ToLowerInvariant() is "imagenet" or "none" ? weightsValue.ToLowerInvariant() : weightsValue;
        if (weightsKind is not ("imagenet" or "none") && !WeightExtensions.Any(ext => weightsValue.EndsWith(ext, StringComparison.OrdinalIgnoreCase)))
        {
            diagnostics.Add(DiagnosticDescriptors.UnsupportedWeights, weights.Location, weightsValue);
            return null;
        }

        if (architecture == BackboneCatalog.Onnx)
        {
            return AnalyzeOnnx(spec, weightsKind, diagnostics);
        }

        if (!BackboneCatalog.Contains(architecture))
        {
            diagnostics.Add(
                DiagnosticDescriptors.UnknownArchitecture,
                backbone.Architecture.Location,
                backbone.Architecture.Value,
                Suggestions.DidYouMean(architecture, BackboneCatalog.ValidNames),
                string.Join(", ", BackboneCatalog.ValidNames));
            return null;
        }

        if (backbone.Path is { } path)
        {
            diagnostics.Add(DiagnosticDescriptors.ConflictingKeys, path.Location, $"'backbone.path' names the graph of an 'onnx' backbone; {architecture} is built from the catalog, so give its weights file in 'backbone.weights' instead");
            return null;
        }

        if (backbone.FeatureShape is { } declared)
        {
            diagnostics.Add(DiagnosticDescriptors.ConflictingKeys, declared.Location, $"'backbone.feature_shape' is only for 'onnx' backbones; the shape of {architecture} is computed at build time");
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
            if (!layer.CanCut)
            {
                var container = layout.Find(layer.CutContainer!)!;
                var previous = Enumerable.Range(0, layout.IndexOf(container.Name)).Reverse().Select(i => layout.Layers[i]).FirstOrDefault(l => l.CanCut);
                diagnostics.Add(
                    DiagnosticDescriptors.CannotCutHere,
                    truncate.Location,
                    truncate.Value,
                    $"the {container.Type} '{container.Name}'",
                    $"'{container.Name}' (after the block){(previous is null ? "" : $" or '{previous.Name}' (before it)")}");
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

        return new ResolvedBackbone(architecture, weightsKind, null, layout, cutIndex, cutDisplay, spec.BatchNorm);
    }

    /// <summary>The nearest square sizes around <paramref name="size"/> whose residual branches line up, e.g. "96x96 or 128x128".</summary>
    private static string WorkingSizes(string architecture, string cut, int size)
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

    private static ResolvedBackbone? AnalyzeOnnx(ModelSpec spec, string weightsKind, DiagnosticBag diagnostics)
    {
        var backbone = spec.Backbone;
        if (backbone.Path is null)
        {
            diagnostics.Add(DiagnosticDescriptors.MissingKey, backbone.Architecture.Location, "backbone.path", "'backbone' when the architecture is onnx", "path: models/net.onnx");
            return null;
        }

        if (!backbone.Path.Value.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            diagnostics.Add(DiagnosticDescriptors.UnsupportedWeights, backbone.Path.Location, backbone.Path.Value);
            return null;
        }

        if (weightsKind is not ("imagenet" or "none"))
        {
            diagnostics.Add(DiagnosticDescriptors.ConflictingKeys, backbone.Weights.Location, "An 'onnx' backbone takes its weights from the graph in 'backbone.path'; use weights: imagenet (the graph's own) or none (fresh)");
            return null;
        }

        if (backbone.FeatureShape is null)
        {
            diagnostics.Add(DiagnosticDescriptors.MissingKey, backbone.Architecture.Location, "backbone.feature_shape", "'backbone' when the architecture is onnx (the graph is read at run time, so its output shape is declared here and checked when the model is created)", "feature_shape: [512, 7, 7]");
            return null;
        }

        return new ResolvedBackbone(BackboneCatalog.Onnx, weightsKind, backbone.Path.Value, null, -1, backbone.TruncateAt?.Value ?? "(graph output)", spec.BatchNorm)
        {
            DeclaredShape = backbone.FeatureShape.Value,
            OnnxCut = backbone.TruncateAt?.Value,
        };
    }

    /// <summary>The index of the layer a spec names (torchvision path or Keras alias), reporting unknown names.</summary>
    private static int? ResolveLayer(BackboneLayout layout, Located<string> name, bool useFirst, DiagnosticBag diagnostics)
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
    private static string MinimumSize(string architecture, string cut)
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

    private static List<HeadLayerPlan>? AnalyzeHead(ModelSpec spec, EquatableArray<long> featureShape, DiagnosticBag diagnostics)
    {
        if (spec.Head.Count == 0)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidHead, spec.HeadLocation, "The head is empty; end it with a dense layer, e.g. [global_avg_pool, { dense: 2, activation: softmax }]");
            return null;
        }

        var plans = new List<HeadLayerPlan>();
        long? flat = null;
        var shapeText = string.Join("x", featureShape);
        var counts = new Dictionary<string, int>();
        foreach (var layer in spec.Head)
        {
            var kind = layer.Kind switch
            {
                HeadLayerKind.Flatten => "flatten",
                HeadLayerKind.GlobalAvgPool => "global_avg_pool",
                HeadLayerKind.GlobalMaxPool => "global_max_pool",
                HeadLayerKind.Dense => "dense",
                _ => "dropout",
            };
            counts[kind] = counts.TryGetValue(kind, out var n) ? n + 1 : 1;
            var field = Identifiers.Pascal(kind, kind) + counts[kind];
            field = char.ToLowerInvariant(field[0]) + field.Substring(1);
            switch (layer.Kind)
            {
                case HeadLayerKind.Flatten or HeadLayerKind.GlobalAvgPool or HeadLayerKind.GlobalMaxPool:
                    if (flat is not null)
                    {
                        diagnostics.Add(DiagnosticDescriptors.InvalidHead, layer.Location, $"'{kind}' needs the backbone's feature map ({shapeText}), but an earlier head layer already made it flat; keep one flatten or global pooling layer");
                        return null;
                    }

                    flat = layer.Kind == HeadLayerKind.Flatten ? featureShape.Aggregate(1L, (a, b) => a * b) : featureShape[0];
                    plans.Add(new HeadLayerPlan(kind, field, 0, flat.Value, "none", 0, $"({flat})", 0));
                    break;
                case HeadLayerKind.Dense:
                    if (flat is null)
                    {
                        diagnostics.Add(DiagnosticDescriptors.InvalidHead, layer.Location, $"A dense layer needs a flat input, but here it would get the feature map {shapeText}; put 'flatten' or 'global_avg_pool' before the first dense layer");
                        return null;
                    }

                    plans.Add(new HeadLayerPlan(kind, field, flat.Value, layer.Units, layer.Activation, 0, $"({layer.Units})", (flat.Value * layer.Units) + layer.Units));
                    flat = layer.Units;
                    break;
                default:
                    var shape = flat is null ? "(" + string.Join(", ", featureShape) + ")" : $"({flat})";
                    plans.Add(new HeadLayerPlan(kind, field, 0, 0, "none", layer.Rate, shape, 0));
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

    private static LossPlan? AnalyzeLoss(ModelSpec spec, List<HeadLayerPlan> head, int labelCount, DiagnosticBag diagnostics)
    {
        var last = head[head.Count - 1];
        var location = spec.Head[spec.Head.Count - 1].Location;
        var units = last.OutFeatures;
        var declared = spec.Training.Loss?.Value;
        var binary = declared is null ? units == 1 : declared == "binary_crossentropy";
        var lossName = binary ? "binary_crossentropy" : "categorical_crossentropy";
        string? problem = null;
        if (binary && units != 1)
        {
            problem = $"binary_crossentropy needs a last dense layer of 1 unit, not {units}; for {units} classes use loss: categorical_crossentropy with {{ dense: {units}, activation: softmax }}";
        }
        else if (binary && labelCount is not (0 or 2))
        {
            problem = $"A last dense layer of 1 unit (binary) fits 2 labels, but {labelCount} are declared; use {{ dense: {labelCount}, activation: softmax }}";
        }
        else if (!binary && units < 2)
        {
            problem = "categorical_crossentropy needs one unit per class (at least 2); for two classes either use { dense: 2, activation: softmax } or binary_crossentropy with { dense: 1, activation: sigmoid }";
        }
        else if (!binary && labelCount > 0 && units != labelCount)
        {
            problem = $"The last dense layer has {units} units, but {labelCount} labels are declared; use {{ dense: {labelCount}, activation: softmax }}";
        }
        else if (binary && last.Activation is not ("sigmoid" or "none"))
        {
            problem = $"With {lossName}, the last dense layer's activation must be sigmoid (or none for raw scores), not {last.Activation}";
        }
        else if (!binary && last.Activation is not ("softmax" or "none"))
        {
            problem = $"With {lossName}, the last dense layer's activation must be softmax (or none for raw scores), not {last.Activation}";
        }

        if (problem is not null)
        {
            diagnostics.Add(DiagnosticDescriptors.OutputMismatch, declared is not null && spec.Training.Loss is { } loss && units == 1 != binary ? loss.Location : location, problem);
            return null;
        }

        return new LossPlan(binary, units, last.Activation);
    }

    private static ResolvedPhase? AnalyzePhase(PhaseSpec phase, ResolvedBackbone backbone, DiagnosticBag diagnostics)
    {
        string? firstTrainable;
        long trainable;
        string description;
        if (backbone.Layout is null)
        {
            // ONNX graphs are read at run time; their layer names are checked when the model is created.
            firstTrainable = phase.Freeze.Kind switch
            {
                FreezeKind.All => null,
                FreezeKind.None => "*",
                _ => phase.Freeze.Layer!.Value,
            };
            trainable = -1;
            description = DescribeFreeze(phase.Freeze);
        }
        else
        {
            var total = backbone.ParameterCount;
            int boundary;
            switch (phase.Freeze.Kind)
            {
                case FreezeKind.All:
                    boundary = total;
                    break;
                case FreezeKind.None:
                    boundary = 0;
                    break;
                default:
                    var layer = phase.Freeze.Layer!;
                    var fromFirst = phase.Freeze.Kind == FreezeKind.TrainableFrom;
                    if (ResolveLayer(backbone.Layout, layer, useFirst: fromFirst, diagnostics) is not { } index)
                    {
                        return null;
                    }

                    if (index > backbone.LastIndex)
                    {
                        diagnostics.Add(DiagnosticDescriptors.LayerBeyondCut, layer.Location, layer.Value, backbone.CutDisplay);
                        return null;
                    }

                    var resolved = backbone.Layout.Layers[index];
                    boundary = fromFirst ? resolved.FirstParameter : resolved.FirstParameter + resolved.ParameterCount;
                    break;
            }

            firstTrainable = boundary < total ? backbone.Layout.Parameters[boundary].Name : null;
            trainable = backbone.Layout.Parameters.Skip(boundary).Take(total - boundary).Sum(p => p.Elements);
            description = DescribeFreeze(phase.Freeze);
        }

        var augment = phase.Augment is { } a
            ? new AugmentPlan(a.Rotation, a.WidthShift, a.HeightShift, a.Shear, a.ZoomLow, a.ZoomHigh, a.HorizontalFlip, a.VerticalFlip, a.BrightnessLow, a.BrightnessHigh, a.Fill)
            : null;
        var o = phase.Optimizer;
        var plan = new PhasePlan(
            phase.Name,
            phase.Epochs,
            description,
            firstTrainable,
            trainable,
            phase.BatchSize,
            UsesFeatureCache: phase.FeatureCache && firstTrainable is null && augment is null,
            augment,
            new OptimizerPlan(o.Type, o.LearningRate, o.Momentum, o.WeightDecay, o.Nesterov, o.BackboneLearningRate),
            phase.Schedule is { } s ? new SchedulePlan(s.Type, s.StepSize, s.Gamma, s.Factor, s.Patience, s.MinLearningRate) : null);
        return new ResolvedPhase(plan, phase.Freeze);
    }

    private static string DescribeFreeze(FreezeSpec freeze) => freeze.Kind switch
    {
        FreezeKind.All => "all",
        FreezeKind.None => "none",
        FreezeKind.TrainableFrom => "trainable_from: " + freeze.Layer!.Value,
        _ => "frozen_through: " + freeze.Layer!.Value,
    };

    /// <summary>The spec's path relative to the project folder, or null when it lies outside it.</summary>
    private static string? RelativePath(string path, string projectDirectory)
    {
        var normalized = path.Replace('\\', '/');
        var root = projectDirectory.Replace('\\', '/').TrimEnd('/') + "/";
        return projectDirectory.Length > 0 && normalized.StartsWith(root, StringComparison.OrdinalIgnoreCase)
            ? normalized.Substring(root.Length)
            : null;
    }

    private static string DirectoryOf(string path)
    {
        var normalized = path.Replace('\\', '/');
        var slash = normalized.LastIndexOf('/');
        return slash <= 0 ? (slash == 0 ? "/" : "") : normalized.Substring(0, slash);
    }
}
