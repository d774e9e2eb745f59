using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Generators.Catalog;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;
using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Checks a read spec against the backbone catalog and C#'s rules, and resolves it into a
/// <see cref="ModelPlan"/>. The rules live by family (<see cref="NameRules"/>, <see cref="LabelRules"/>, <see cref="BackboneRules"/>,
/// <see cref="HeadRules"/>, <see cref="LossRules"/>, <see cref="PhaseRules"/>); this puts them together.
/// </summary>
internal static class ModelAnalyzer
{
    public static ModelPlan? Analyze(ModelSpec spec, ProjectOptions options, DiagnosticBag diagnostics)
    {
        var names = NameRules.Analyze(spec, options, diagnostics);
        var labels = LabelRules.Analyze(spec.Labels, diagnostics);
        var targets = TargetRules.Analyze(spec.Targets, names?.ClassName, diagnostics);
        var input = new InputPlan(spec.Input.Height, spec.Input.Width, spec.Input.Channels);
        var backbone = BackboneRules.Analyze(spec, diagnostics);
        if (backbone is null || names is not var (className, ns) || labels is null || targets is null)
        {
            return null;
        }

        var head = HeadRules.Analyze(spec, backbone.Architecture, backbone.FeatureShape, diagnostics);
        var loss = head is null ? null : LossRules.Analyze(spec, head, labels.Count, targets.Count, diagnostics);
        var phases = spec.Training.Phases.Select(phase => PhaseRules.Analyze(phase, backbone, diagnostics)).ToList();
        if (head is null || loss is null || phases.Any(p => p is null) || diagnostics.HasErrors)
        {
            return null;
        }

        if (spec.TaskKey is { Value: TaskKind.MultiLabel } task)
        {
            diagnostics.Add(DiagnosticDescriptors.TaskNotGenerated, task.Location, Shared.SpecWords.Tasks.WordOf(task.Value));
            return null;
        }

        var training = new TrainingPlan(
            spec.Training.Seed,
            spec.Training.EarlyStopping,
            spec.Training.Checkpoints,
            spec.Training.ValidationSplit,
            phases.Select(p => p!.Plan).ToEquatableArray(),
            spec.Training.Ema);
        var relativePath = RelativePath(spec.FilePath, options.ProjectDirectory);
        var specDirectory = relativePath is null ? DirectoryOf(spec.FilePath) : DirectoryOf(relativePath);
        var backbonePlan = backbone.ToPlan();
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
            Summary: SummaryTable.Write(className, spec, backbone, head, phases.Select(p => p!).ToList()),
            Task: spec.Task,
            Targets: targets.ToEquatableArray());
    }

    /// <summary>The spec's path relative to the project folder, or null when it lies outside it.</summary>
    internal static string? RelativePath(string path, string projectDirectory)
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
