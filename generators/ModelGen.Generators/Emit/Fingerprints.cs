using System.Globalization;
using System.Linq;
using System.Text;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Vocabulary;

namespace ModelGen.Generators.Emit;

/// <summary>Short, stable hashes of what decides a model's parameter shapes, and of how it is trained.</summary>
internal static class Fingerprints
{
    public static string Of(ModelPlan plan)
    {
        // "head/" marks the layout in which the head's modules sit under "head." in the state_dict.
        var text = new StringBuilder()
            .Append("head/")
            .Append(plan.Backbone.Architecture).Append('|')
            .Append(plan.Backbone.CutAt).Append('|')
            .Append(plan.Input.Height).Append('x').Append(plan.Input.Width).Append('|')
            .Append(string.Join(",", plan.Head.Select(l => $"{l.Kind}:{l.InFeatures}:{l.Layer.Units}")))
            .ToString();
        return Hash(text);
    }

    /// <summary>
    /// The training plan: the loss, every phase (name, epochs, freezing, batch size, data path, optimizer,
    /// schedule, augmentation, gradient accumulation and clipping), the weight average, early stopping and the validation split. Not the seed (the caller's options
    /// may change it; checkpoints record it apart) nor the checkpoint settings, which change no result.
    /// </summary>
    public static string OfTraining(ModelPlan plan)
    {
        var t = plan.Training;
        var text = new StringBuilder()
            .Append("loss ").Append(plan.Loss.Kind).Append(':').Append(plan.Loss.FinalActivation).Append('\n')
            .Append("validation_split ").Append(t.ValidationSplit is { } split ? Number(split) : "none").Append('\n');
        if (plan.Task != TaskKind.Classification)
        {
            // Only for the other tasks, so that the fingerprints of classifiers stay what they were.
            text.Append("task ").Append(plan.Task).Append(':').Append(string.Join(",", plan.Targets.Select(x => x.Name))).Append('\n');
        }

        if (plan.Loss.Kind == LossKind.Huber)
        {
            text.Append("huber_delta ").Append(Number(plan.Loss.HuberDelta)).Append('\n');
        }

        if (plan.Loss.LabelSmoothing > 0)
        {
            // Only when set, so that the fingerprints of runs without it stay what they were.
            text.Append("label_smoothing ").Append(Number(plan.Loss.LabelSmoothing)).Append('\n');
        }

        if (plan.Loss.FocalGamma > 0)
        {
            text.Append("focal_gamma ").Append(Number(plan.Loss.FocalGamma)).Append('\n');
        }

        if (plan.Loss.ClassWeights is { } weights)
        {
            text.Append("class_weights ").Append(weights.Balanced ? "balanced" : string.Join(",", weights.Weights.Select(x => x.Label + "=" + Number(x.Weight)))).Append('\n');
        }

        if (t.Ema is { } ema)
        {
            text.Append("ema ").Append(Number(ema.Decay)).Append('\n');
        }

        if (t.EarlyStopping is { } e)
        {
            text.Append("early_stopping ").Append(e.Monitor).Append(':').Append(e.Patience).Append(':').Append(e.RestoreBest).Append(':').Append(Number(e.MinDelta)).Append('\n');
        }

        foreach (var p in t.Phases)
        {
            var o = p.Optimizer;
            text.Append("phase ").Append(p.Name.Length).Append(':').Append(p.Name)
                .Append('|').Append(p.Epochs).Append('|').Append(p.Freeze.Kind).Append(':').Append(p.Freeze.Layer)
                .Append('|').Append(p.BatchSize).Append('|').Append(p.UsesFeatureCache)
                .Append("|optimizer ").Append(o.Kind).Append(':').Append(Number(o.LearningRate)).Append(':').Append(Number(o.Momentum))
                .Append(':').Append(Number(o.WeightDecay)).Append(':').Append(o.Nesterov).Append(':').Append(o.BackboneLearningRate is { } b ? Number(b) : "-");
            if (p.Schedule is { } s)
            {
                text.Append("|schedule ").Append(s.Kind).Append(':').Append(s.StepSize).Append(':').Append(Number(s.Gamma)).Append(':').Append(Number(s.Factor))
                    .Append(':').Append(s.Patience).Append(':').Append(Number(s.MinLearningRate));
                if (s.WarmupEpochs > 0)
                {
                    text.Append(":warmup ").Append(s.WarmupEpochs);
                }

                if (s.Kind == ScheduleKind.OneCycle)
                {
                    text.Append(":one_cycle ").Append(s.MaxLearningRate is { } max ? Number(max) : "-").Append(':').Append(Number(s.PctStart))
                        .Append(':').Append(Number(s.DivFactor)).Append(':').Append(Number(s.FinalDivFactor));
                }
            }

            if (p.AccumulateBatches > 1)
            {
                text.Append("|accumulate_batches ").Append(p.AccumulateBatches);
            }

            if (p.GradClipNorm is { } clip)
            {
                text.Append("|grad_clip_norm ").Append(Number(clip));
            }

            if (p.Augment is { } a)
            {
                text.Append("|augment ").Append(string.Join(":", new[] { a.Rotation, a.WidthShift, a.HeightShift, a.Shear, a.ZoomLow, a.ZoomHigh, a.BrightnessLow, a.BrightnessHigh }.Select(Number)))
                    .Append(':').Append(a.HorizontalFlip).Append(':').Append(a.VerticalFlip).Append(':').Append(a.Fill);
                if (a.RandAugmentOps > 0)
                {
                    text.Append("|rand_augment ").Append(a.RandAugmentOps).Append(':').Append(a.RandAugmentMagnitude);
                }

                if (a.TrivialAugment)
                {
                    text.Append("|trivial_augment");
                }

                if (a.ErasingProbability > 0)
                {
                    text.Append("|random_erasing ").Append(string.Join(":", new[] { a.ErasingProbability, a.ErasingScaleLow, a.ErasingScaleHigh, a.ErasingRatioLow, a.ErasingRatioHigh, a.ErasingValue }.Select(Number)));
                }

                if (a.MixUpAlpha > 0 || a.CutMixAlpha > 0)
                {
                    text.Append("|mixing ").Append(string.Join(":", new[] { a.MixUpAlpha, a.CutMixAlpha, a.MixProbability }.Select(Number)));
                }
            }

            text.Append('\n');
        }

        return Hash(text.ToString());
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Hash(string text)
    {
        // FNV-1a, 64 bit: stable across processes and platforms, unlike string.GetHashCode.
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }
}
