using System.Collections.Generic;
using ModelGen.Generators.Diagnostics;
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
    public static LossPlan? Analyze(ModelSpec spec, List<HeadLayerPlan> head, int labelCount, DiagnosticBag diagnostics)
    {
        var last = head[head.Count - 1].Layer;
        var location = spec.Head[spec.Head.Count - 1].Location;
        var units = last.Units;
        var declared = spec.Training.Loss?.Value;
        var kind = declared ?? (units == 1 ? LossKind.BinaryCrossEntropy : LossKind.CategoricalCrossEntropy);
        var binary = kind == LossKind.BinaryCrossEntropy;
        var lossName = binary ? "binary_crossentropy" : "categorical_crossentropy";
        var activation = SpecWords.Activations.WordOf(last.Activation);
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
        else if (binary && last.Activation is not (Activation.Sigmoid or Activation.None))
        {
            problem = $"With {lossName}, the last dense layer's activation must be sigmoid (or none for raw scores), not {activation}";
        }
        else if (!binary && last.Activation is not (Activation.Softmax or Activation.None))
        {
            problem = $"With {lossName}, the last dense layer's activation must be softmax (or none for raw scores), not {activation}";
        }

        if (problem is not null)
        {
            diagnostics.Add(DiagnosticDescriptors.OutputMismatch, declared is not null && spec.Training.Loss is { } loss && units == 1 != binary ? loss.Location : location, problem);
            return null;
        }

        return new LossPlan(kind, units, last.Activation);
    }
}
