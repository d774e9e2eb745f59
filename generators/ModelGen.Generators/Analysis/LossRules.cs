using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Rules for <c>training.loss</c> and the head's last layer: binary cross-entropy takes one unit with
/// sigmoid, categorical cross-entropy one unit per class with softmax, and both agree with <c>labels</c>.
/// </summary>
internal static class LossRules
{
    /// <summary>The loss and the output it works on, or null after reporting what is wrong.</summary>
    public static LossPlan? Analyze(ModelSpec spec, List<HeadLayerPlan> head, int labelCount, int targetCount, DiagnosticBag diagnostics)
    {
        var last = head[head.Count - 1].Layer;
        var location = spec.Head[spec.Head.Count - 1].Location;
        var units = last.Units;
        if (spec.Task != TaskKind.Classification)
        {
            return AnalyzeTask(spec, last, location, spec.Task == TaskKind.Regression ? targetCount : labelCount, diagnostics);
        }

        var declared = spec.Training.Loss?.Value;
        if (declared is LossKind.MeanSquaredError or LossKind.Huber && spec.Training.Loss is { } regressionLoss)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidChoice, regressionLoss.Location, SpecWords.Losses.WordOf(regressionLoss.Value), "loss for task: classification", "", "binary_crossentropy, categorical_crossentropy (mse and huber are for task: regression)");
            return null;
        }

        var kind = declared ?? (units == 1 ? LossKind.BinaryCrossEntropy : LossKind.CategoricalCrossEntropy);
        var binary = kind == LossKind.BinaryCrossEntropy;
        if (Problem(binary, units, labelCount, last.Activation) is { } problem)
        {
            diagnostics.Add(problem.Descriptor, declared is not null && spec.Training.Loss is { } loss && units == 1 != binary ? loss.Location : location, problem.Arguments);
            return null;
        }

        var classWeights = ClassWeights(spec, diagnostics);
        return spec.Training.ClassWeights is not null && classWeights is null
            ? null
            : new LossPlan(kind, units, last.Activation, spec.Training.LabelSmoothing, classWeights, spec.Training.FocalGamma);
    }

    // task: multi_label scores each label with its own sigmoid (binary cross-entropy per label); task: regression
    // predicts one raw number per target (mean squared error, or Huber). The last dense layer has one unit per label
    // or target either way.
    private static LossPlan? AnalyzeTask(ModelSpec spec, HeadLayer last, SpecLocation location, int count, DiagnosticBag diagnostics)
    {
        var regression = spec.Task == TaskKind.Regression;
        var word = SpecWords.Tasks.WordOf(spec.Task);
        var kind = spec.Training.Loss?.Value ?? (regression ? LossKind.MeanSquaredError : LossKind.BinaryCrossEntropy);
        var fits = regression ? kind is LossKind.MeanSquaredError or LossKind.Huber : kind == LossKind.BinaryCrossEntropy;
        if (!fits && spec.Training.Loss is { } loss)
        {
            diagnostics.Add(DiagnosticDescriptors.InvalidChoice, loss.Location, SpecWords.Losses.WordOf(loss.Value), "loss for task: " + word, "", regression ? "mse, huber" : "binary_crossentropy");
            return null;
        }

        var countText = count.ToString(CultureInfo.InvariantCulture);
        if (count > 0 && last.Units != count)
        {
            diagnostics.Add(regression ? DiagnosticDescriptors.UnitsNotTargets : DiagnosticDescriptors.MultiLabelUnitsNotLabels, location, last.Units.ToString(CultureInfo.InvariantCulture), countText);
            return null;
        }

        var activationFits = regression ? last.Activation == Activation.None : last.Activation is Activation.Sigmoid or Activation.None;
        if (!activationFits)
        {
            diagnostics.Add(DiagnosticDescriptors.TaskActivation, location, word, regression ? "none (the raw numbers)" : "sigmoid (or none for raw scores)", SpecWords.Activations.WordOf(last.Activation));
            return null;
        }

        return new LossPlan(kind, last.Units, last.Activation, Task: spec.Task, HuberDelta: spec.Training.HuberDelta);
    }

    // Explicit class weights name labels: when the spec declares its labels, each must be one of them.
    private static ClassWeightsPlan? ClassWeights(ModelSpec spec, DiagnosticBag diagnostics)
    {
        if (spec.Training.ClassWeights is not { } weights)
        {
            return null;
        }

        var ok = true;
        if (spec.Labels is { } labels)
        {
            foreach (var (label, _) in weights.Weights)
            {
                if (!labels.Any(l => l.Value == label.Value))
                {
                    diagnostics.Add(DiagnosticDescriptors.InvalidChoice, label.Location, label.Value, "label in training.class_weights", "", string.Join(", ", labels.Select(l => l.Value)));
                    ok = false;
                }
            }
        }

        return ok ? new ClassWeightsPlan(weights.Balanced, weights.Weights.Select(w => new ClassWeightPlan(w.Label.Value, w.Weight)).ToEquatableArray()) : null;
    }

    /// <summary>What does not fit between the loss, the last layer and the labels, or null.</summary>
    private static (DiagnosticDescriptor Descriptor, string[] Arguments)? Problem(bool binary, long units, int labelCount, Activation activation)
    {
        var unitText = units.ToString(CultureInfo.InvariantCulture);
        var labelText = labelCount.ToString(CultureInfo.InvariantCulture);
        var activationWord = SpecWords.Activations.WordOf(activation);
        return (binary, units, labelCount, activation) switch
        {
            (true, not 1, _, _) => (DiagnosticDescriptors.BinaryLossWithSeveralUnits, [unitText]),
            (true, _, not (0 or 2), _) => (DiagnosticDescriptors.BinaryOutputWithOtherLabels, [labelText]),
            (false, < 2, _, _) => (DiagnosticDescriptors.CategoricalLossWithOneUnit, []),
            (false, _, > 0, _) when units != labelCount => (DiagnosticDescriptors.UnitsNotLabels, [unitText, labelText]),
            (true, _, _, not (Activation.Sigmoid or Activation.None)) => (DiagnosticDescriptors.BinaryLossWithoutSigmoid, [activationWord]),
            (false, _, _, not (Activation.Softmax or Activation.None)) => (DiagnosticDescriptors.CategoricalLossWithoutSoftmax, [activationWord]),
            _ => null,
        };
    }
}
