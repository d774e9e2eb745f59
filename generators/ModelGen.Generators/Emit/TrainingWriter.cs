using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>
/// The training code, unrolled per phase: each phase gets its own method with its freeze policy,
/// optimizer, batch size and data path (cached features, or images with or without augmentation).
/// Settings are written once, as the shared settings records the runtime takes.
/// </summary>
internal static class TrainingWriter
{
    public static void Write(CodeWriter w, ModelPlan plan)
    {
        var phases = plan.Training.Phases;
        WriteSettings(w, plan);

        // Train(FeatureSet) runs the phases that keep the backbone frozen; with none, the first phase's
        // settings train the head alone.
        var featurePhases = Enumerable.Range(0, phases.Count).Where(i => phases[i].BackboneFrozen).ToList();
        var headOnly = featurePhases.Count == 0;
        if (headOnly)
        {
            featurePhases.Add(0);
        }

        WriteTrainOnFeatures(w, plan, featurePhases, headOnly);
        WriteTrainOnImages(w, plan);
        LearningRateFinderWriter.Write(w, plan, featurePhases[0], forceFrozen: headOnly && !phases[0].BackboneFrozen);
        w.Line("// Checkpoints record the run (shape, training plan, data, seed): resuming continues only the same training.");
        w.Call($"private {R.TrainingRun} StartRun", [$"{R.TrainOptions}? trainOptions", "string data"], " =>");
        w.Indent();
        string[] start = ["this", $"nameof({plan.ClassName})", "trainOptions", "Checkpoints", "EarlyStopping", $"options.Seed ?? {plan.Training.Seed}", "options", $"new {R.RunIdentity}(Fingerprint, TrainingFingerprint, data)"];
        w.Call($"{R.TrainingRun}.Start", plan.Training.Ema is null ? start : [.. start, "ema: WeightAverage"], ";");
        w.Outdent();
        w.Line();

        var onFeatures = new HashSet<int>(featurePhases.Concat(Enumerable.Range(0, phases.Count).Where(i => phases[i].UsesFeatureCache)));
        for (var i = 0; i < phases.Count; i++)
        {
            if (onFeatures.Contains(i))
            {
                WritePhaseOnFeatures(w, plan, i, forceFrozen: headOnly && i == 0 && !phases[i].BackboneFrozen);
            }

            if (!phases[i].UsesFeatureCache)
            {
                WritePhaseOnImages(w, plan, i);
            }
        }

        w.Open($"private void UseClasses({R.ReadOnlyList}<string> classes)");
        w.Line($"Classes = {R.ModelRuntime}.CheckClasses(classes, DeclaredClasses, ClassCount, nameof({plan.ClassName}));");
        w.Close();
    }

    private static void WriteSettings(CodeWriter w, ModelPlan plan)
    {
        var t = plan.Training;
        if (t.Checkpoints is { } c)
        {
            w.Line($"// training.checkpoints: after every epoch, kept {c.Keep}; resume with TrainOptions.Resume.");
            w.Line($"private static readonly {R.CheckpointSettings}? Checkpoints = new({CodeWriter.String(c.Directory)}, Keep: {c.Keep});");
        }
        else
        {
            w.Line("// training.checkpoints: none.");
            w.Line($"private static readonly {R.CheckpointSettings}? Checkpoints = null;");
        }

        w.Line();
        if (t.EarlyStopping is { } e)
        {
            w.Line("// training.early_stopping: applies within each phase.");
            w.Line($"private static readonly {R.EarlyStoppingSettings}? EarlyStopping = new(");
            w.Line($"    {R.EarlyStoppingMonitor}.{e.Monitor}, Patience: {e.Patience}, RestoreBest: {CodeWriter.Bool(e.RestoreBest)}, MinDelta: {CodeWriter.Number(e.MinDelta)});");
        }
        else
        {
            w.Line("// training.early_stopping: none; every phase runs all its epochs.");
            w.Line($"private static readonly {R.EarlyStoppingSettings}? EarlyStopping = null;");
        }

        if (t.Ema is { } ema)
        {
            w.Line();
            w.Line($"// training.ema: after each optimizer step, average = {CodeWriter.Number(ema.Decay)} * average + (1 - {CodeWriter.Number(ema.Decay)}) * weight;");
            w.Line("// validation scores the averaged weights, and the trained model holds them.");
            w.Line($"private static readonly {R.EmaSettings} WeightAverage = new(Decay: {CodeWriter.Number(ema.Decay)});");
        }

        w.Line();
        w.Line("// A fingerprint of the training plan (spec keys: loss, training): checkpoints resume only the same plan.");
        w.Line($"private const string TrainingFingerprint = {CodeWriter.String(Fingerprints.OfTraining(plan))};");
        w.Line();
        for (var i = 0; i < t.Phases.Count; i++)
        {
            var phase = t.Phases[i];
            var stem = MethodStem(phase, i);
            w.Line($"// training.phases[{i}] \"{CodeWriter.Comment(phase.Name)}\": optimizer{(phase.Schedule is null ? "" : ", schedule")}{(phase.Augment is null ? "" : ", augment (Keras ImageDataGenerator meanings)")}{PolicyNote(phase.Augment)}.");
            w.Call($"private static readonly {R.OptimizerSettings} {stem}Optimizer = new", Optimizer(phase.Optimizer), ";");
            if (phase.Schedule is { } s)
            {
                w.Line($"private static readonly {R.ScheduleSettings} {stem}Schedule = {Schedule(s)};");
            }

            if (phase.StepsThroughRuntime(t.Ema))
            {
                w.Line($"private static readonly {R.StepSettings} {stem}Steps = new({string.Join(", ", Steps(phase))}); // {CodeWriter.Comment(DescribeSteps(phase))}");
            }

            if (phase.Augment is { } a)
            {
                w.Line($"private static readonly {R.Augmentation} {stem}Augmentation = new(");
                w.Indent();
                w.Line($"Rotation: {CodeWriter.Number(a.Rotation)},");
                w.Line($"WidthShift: {CodeWriter.Number(a.WidthShift)},");
                w.Line($"HeightShift: {CodeWriter.Number(a.HeightShift)},");
                w.Line($"Shear: {CodeWriter.Number(a.Shear)},");
                w.Line($"ZoomLow: {CodeWriter.Number(a.ZoomLow)},");
                w.Line($"ZoomHigh: {CodeWriter.Number(a.ZoomHigh)},");
                w.Line($"HorizontalFlip: {CodeWriter.Bool(a.HorizontalFlip)},");
                w.Line($"VerticalFlip: {CodeWriter.Bool(a.VerticalFlip)},");
                w.Line($"BrightnessLow: {CodeWriter.Number(a.BrightnessLow)},");
                w.Line($"BrightnessHigh: {CodeWriter.Number(a.BrightnessHigh)},");
                w.Line($"Fill: {R.FillMode}.{a.Fill}{(Policies(a).Count == 0 ? ");" : ",")}");
                var policies = Policies(a);
                for (var p = 0; p < policies.Count; p++)
                {
                    w.Line(policies[p] + (p == policies.Count - 1 ? ");" : ","));
                }

                w.Outdent();
            }

            w.Line();
        }
    }

    /// <summary>Which torchvision-style keys the phase's augment adds, for its comment; empty when none.</summary>
    private static string PolicyNote(Augmentation? a)
    {
        var names = new List<string>();
        if (a?.RandAugmentOps > 0)
        {
            names.Add("RandAugment");
        }

        if (a?.TrivialAugment == true)
        {
            names.Add("TrivialAugmentWide");
        }

        if (a?.ErasingProbability > 0)
        {
            names.Add("RandomErasing");
        }

        if (a?.MixUpAlpha > 0)
        {
            names.Add("MixUp");
        }

        if (a?.CutMixAlpha > 0)
        {
            names.Add("CutMix");
        }

        return names.Count == 0 ? "" : " with torchvision's " + string.Join(" and ", names);
    }

    /// <summary>
    /// The torchvision-style augmentation as record arguments (augment.rand_augment, trivial_augment,
    /// random_erasing); none when the spec has none, so a Keras-only augmentation reads as before.
    /// </summary>
    private static List<string> Policies(Augmentation a)
    {
        var arguments = new List<string>();
        if (a.RandAugmentOps > 0)
        {
            arguments.Add($"RandAugmentOps: {a.RandAugmentOps}");
            arguments.Add($"RandAugmentMagnitude: {a.RandAugmentMagnitude}");
        }

        if (a.TrivialAugment)
        {
            arguments.Add($"TrivialAugment: {CodeWriter.Bool(true)}");
        }

        if (a.ErasingProbability > 0)
        {
            arguments.Add($"ErasingProbability: {CodeWriter.Number(a.ErasingProbability)}");
            arguments.Add($"ErasingScaleLow: {CodeWriter.Number(a.ErasingScaleLow)}");
            arguments.Add($"ErasingScaleHigh: {CodeWriter.Number(a.ErasingScaleHigh)}");
            arguments.Add($"ErasingRatioLow: {CodeWriter.Number(a.ErasingRatioLow)}");
            arguments.Add($"ErasingRatioHigh: {CodeWriter.Number(a.ErasingRatioHigh)}");
            arguments.Add($"ErasingValue: {CodeWriter.Number(a.ErasingValue)}");
        }

        if (a.MixUpAlpha > 0)
        {
            arguments.Add($"MixUpAlpha: {CodeWriter.Number(a.MixUpAlpha)}");
        }

        if (a.CutMixAlpha > 0)
        {
            arguments.Add($"CutMixAlpha: {CodeWriter.Number(a.CutMixAlpha)}");
        }

        if (a.MixUpAlpha > 0 || a.CutMixAlpha > 0)
        {
            arguments.Add($"MixProbability: {CodeWriter.Number(a.MixProbability)}");
        }

        return arguments;
    }

    /// <summary>An optimizer's settings as record arguments, naming those that apply to its kind.</summary>
    private static string[] Optimizer(OptimizerSettings o)
    {
        var parts = new List<string> { $"{R.OptimizerKind}.{o.Kind}", $"LearningRate: {CodeWriter.Number(o.LearningRate)}" };
        if (o.Kind is OptimizerKind.Sgd or OptimizerKind.RmsProp)
        {
            parts.Add($"Momentum: {CodeWriter.Number(o.Momentum)}");
        }

        parts.Add($"WeightDecay: {CodeWriter.Number(o.WeightDecay)}");
        if (o.Nesterov)
        {
            parts.Add("Nesterov: true");
        }

        if (o.BackboneLearningRate is { } rate)
        {
            parts.Add($"BackboneLearningRate: {CodeWriter.Number(rate)}");
        }

        return [.. parts];
    }

    private static string Schedule(ScheduleSettings s)
    {
        var arguments = s.Kind switch
        {
            ScheduleKind.Step => $"{R.ScheduleKind}.Step, StepSize: {s.StepSize}, Gamma: {CodeWriter.Number(s.Gamma)}",
            ScheduleKind.Cosine => $"{R.ScheduleKind}.Cosine, MinLearningRate: {CodeWriter.Number(s.MinLearningRate)}",
            ScheduleKind.Plateau => $"{R.ScheduleKind}.Plateau, Factor: {CodeWriter.Number(s.Factor)}, Patience: {s.Patience}, MinLearningRate: {CodeWriter.Number(s.MinLearningRate)}",
            ScheduleKind.Constant => $"{R.ScheduleKind}.Constant",
            _ => $"{R.ScheduleKind}.OneCycle, MaxLearningRate: {(s.MaxLearningRate is { } max ? CodeWriter.Number(max) : "null")}, PctStart: {CodeWriter.Number(s.PctStart)}, DivFactor: {CodeWriter.Number(s.DivFactor)}, FinalDivFactor: {CodeWriter.Number(s.FinalDivFactor)}",
        };
        return $"new({arguments}{(s.WarmupEpochs > 0 ? $", WarmupEpochs: {s.WarmupEpochs}" : "")})";
    }

    /// <summary>A phase's step settings as record arguments, naming those it sets.</summary>
    private static List<string> Steps(PhasePlan phase)
    {
        var parts = new List<string> { $"BatchSize: {phase.BatchSize}" };
        if (phase.AccumulateBatches > 1)
        {
            parts.Add($"AccumulateBatches: {phase.AccumulateBatches}");
        }

        if (phase.GradClipNorm is { } clip)
        {
            parts.Add($"GradClipNorm: {CodeWriter.Number(clip)}");
        }

        return parts;
    }

    /// <summary>What <c>phase.Step(loss)</c> does for a phase, in words, for the generated comments.</summary>
    private static string DescribeSteps(PhasePlan phase)
    {
        var parts = new List<string>
        {
            phase.AccumulateBatches > 1 ? $"one optimizer step every {phase.AccumulateBatches} batches (training.accumulate_batches)" : "one optimizer step a batch",
        };
        if (phase.GradClipNorm is { } clip)
        {
            parts.Add($"gradients clipped to global norm {CodeWriter.Number(clip)} (training.grad_clip_norm)");
        }

        if (phase.SchedulePerStep)
        {
            parts.Add("the schedule sets the rate of each step");
        }

        return string.Join("; ", parts);
    }

    private static void WriteTrainOnFeatures(CodeWriter w, ModelPlan plan, List<int> phases, bool headOnly)
    {
        var names = string.Join(", ", phases.Select(i => $"\"{plan.Training.Phases[i].Name}\""));
        w.Summary(headOnly
            ? $"Trains the head on extracted features (feature extraction: the backbone ran once per image) with the settings of phase {names}; the backbone stays as it is."
            : $"Trains the head on extracted features (feature extraction: the backbone ran once per image): phase{(phases.Count > 1 ? $"s {names}, which keep" : $" {names}, which keeps")} the backbone frozen.");
        w.Line("/// <param name=\"train\">Features from <see cref=\"Extract(string)\"/> of the training images.</param>");
        var split = plan.Training.ValidationSplit;
        w.Line($"/// <param name=\"validation\">Features of validation images, for val_loss and val_accuracy; optional{(split is { } s ? $" (without it, {CodeWriter.Number(s)} of the training features are held out: training.validation_split)" : "")}.</param>");
        w.Line("/// <param name=\"trainOptions\">Resuming, output folder, progress display; optional.</param>");
        w.Call($"public {R.TrainingHistory} Train", [$"{R.FeatureSet} train", $"{R.FeatureSet}? validation = null", $"{R.TrainOptions}? trainOptions = null"]);
        w.OpenBrace();
        w.Line("UseClasses(train.Classes);");
        var (trainName, validationName) = ("train", "validation");
        if (split is { } held)
        {
            w.Line("// training.validation_split: held out of the training features, as Train(directory) holds out images.");
            w.Call($"using var split = {R.ModelRuntime}.SplitFeatures", ["train", "validation", $"validationSplit: {CodeWriter.Number(held)}", $"seed: options.Seed ?? {plan.Training.Seed}", "options.Logger"], ";");
            (trainName, validationName) = ("split.Train", "split.Validation");
        }

        w.Line($"using var run = StartRun(trainOptions, {R.ModelRuntime}.DataIdentity(train, validation));");
        foreach (var i in phases)
        {
            w.Line($"{MethodStem(plan.Training.Phases[i], i)}OnFeatures({trainName}, {validationName}, run);");
        }

        w.Line($"return run.Finish({validationName}, ReportSubject()); // report.html scores the trained model on the validation features");
        w.Close();
        w.Line();
    }

    private static void WriteTrainOnImages(CodeWriter w, ModelPlan plan)
    {
        var phases = plan.Training.Phases;
        w.Summary("Runs every phase of the spec on image folders (one subfolder per class): " + string.Join("; ", phases.Select(Describe)) + ".");
        w.Line(plan.IsRegression
            ? "/// <param name=\"trainDirectory\">The training images: a CSV or TSV manifest, path then one column per target.</param>"
            : "/// <param name=\"trainDirectory\">The training images, one folder per class.</param>");
        w.Line($"/// <param name=\"validationDirectory\">Validation images{(plan.IsRegression ? " (a manifest) for val_loss, val_mae and val_r2" : " for val_loss and val_accuracy")}; optional{(plan.Training.ValidationSplit is { } s ? $" (without it, {CodeWriter.Number(s)} of the training images are held out: training.validation_split)" : "")}.</param>");
        w.Line("/// <param name=\"trainOptions\">Resuming, output folder, progress display; optional.</param>");
        w.Call($"public {R.TrainingHistory} Train", ["string trainDirectory", "string? validationDirectory = null", $"{R.TrainOptions}? trainOptions = null"]);
        w.OpenBrace();
        var split = plan.Training.ValidationSplit is { } v ? CodeWriter.Number(v) : "null";
        w.Call($"var data = {R.ModelRuntime}.OpenTrainingData", [.. DataCalls.TrainingDataArguments(plan, "trainDirectory", "validationDirectory"), $"validationSplit: {split}", $"seed: options.Seed ?? {plan.Training.Seed}", "options.Logger"], ";");
        w.Line("UseClasses(data.Classes);");
        w.Line($"using var run = StartRun(trainOptions, {R.ModelRuntime}.DataIdentity(data));");
        for (var i = 0; i < phases.Count; i++)
        {
            var phase = phases[i];
            var stem = MethodStem(phase, i);
            w.Line();
            w.Line($"// training.phases[{i}] \"{CodeWriter.Comment(phase.Name)}\": {(phase.UsesFeatureCache ? "frozen backbone, no augmentation: trains on cached features" : phase.BackboneFrozen ? "frozen backbone with augmentation: images through the backbone every epoch" : "part of the backbone trains: end to end on images")}.");
            if (phase.UsesFeatureCache)
            {
                w.Open($"if (!run.IsPhaseDone({CodeWriter.String(phase.Name)}))");
                w.Line("using var trainFeatures = Extract(data.Train); // freed when the phase ends, not at the next GC");
                w.Line("using var validationFeatures = data.Validation is null ? null : Extract(data.Validation);");
                w.Line($"{stem}OnFeatures(trainFeatures, validationFeatures, run);");
                w.Close();
            }
            else
            {
                w.Line($"{stem}OnImages(data, run);");
            }
        }

        w.Line();
        w.Line("return run.Finish(data.Validation, ReportSubject()); // report.html scores the trained model on the validation images");
        w.Close();
        w.Line();
    }

    private static void WritePhaseOnFeatures(CodeWriter w, ModelPlan plan, int index, bool forceFrozen)
    {
        var phase = plan.Training.Phases[index];
        var stem = MethodStem(phase, index);
        var note = forceFrozen ? " (head only: features come from the backbone as it is)" : phase.Augment is not null ? " (augmentation does not apply to fixed features)" : "";
        w.Line($"// training.phases[{index}] \"{CodeWriter.Comment(phase.Name)}\" on cached features: {CodeWriter.Comment(Describe(phase))}{note}.");
        w.Call($"private void {stem}OnFeatures", [$"{R.FeatureSet} train", $"{R.FeatureSet}? validation", $"{R.TrainingRun} run"]);
        w.OpenBrace();
        w.Line($"backbone.Freeze({NetworkWriter.Boundary(FreezeBoundary.All)}); // freeze: {(forceFrozen ? "all (features are fixed)" : CodeWriter.Comment(phase.FreezeDescription))}");
        WriteOptimizer(w, phase, stem, headOnly: true);
        WriteClassWeights(w, plan, "train");
        w.Line($"using var phase = run.BeginPhase({CodeWriter.String(phase.Name)}, epochs: {phase.Epochs}, optimizer, schedule, samples: train.Count{StepsArgument(plan, phase, stem)});");
        if (phase.Mixes)
        {
            w.Line($"run.LogMixing({CodeWriter.String(phase.Name)}, {stem}Augmentation, onImages: false); // augment.mixup / cutmix apply to images, not to fixed features");
        }

        w.Open("for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)");
        w.Line("this.train(); // the head trains; the frozen backbone stays in evaluation mode");
        w.Line("var metrics = phase.BeginEpoch(epoch);");
        w.Line($"{R.Torch}.manual_seed(phase.EpochSeed(epoch)); // dropout draws alike in this epoch on every run, resumed or not");
        w.Open($"foreach (var batch in train.Batches(batchSize: {phase.BatchSize}, shuffle: true, seed: phase.EpochSeed(epoch)))");
        w.Line($"using var scope = {R.Torch}.NewDisposeScope();");
        w.Line(Truth(plan));
        w.Line($"var {Output(plan)} = ForwardHead(batch.Features.to(device));");
        WriteStep(w, plan, phase, stem);
        w.Close();
        WriteStepRemaining(w, phase);
        w.Line();
        w.Line(Validated(plan, "validation", $"EvaluateFeatures(validation, {phase.BatchSize})"));
        WriteEndEpoch(w);
        w.Close();
        w.Close();
        w.Line();
    }

    private static void WritePhaseOnImages(CodeWriter w, ModelPlan plan, int index)
    {
        var phase = plan.Training.Phases[index];
        var stem = MethodStem(phase, index);
        var augmentation = phase.Augment is null ? "augmentation: null" : $"augmentation: {stem}Augmentation";
        w.Line($"// training.phases[{index}] \"{CodeWriter.Comment(phase.Name)}\" on images: {CodeWriter.Comment(Describe(phase))}.");
        w.Open($"private void {stem}OnImages({R.TrainingData} data, {R.TrainingRun} run)");
        w.Open($"if (run.IsPhaseDone({CodeWriter.String(phase.Name)}))");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Line($"backbone.Freeze({NetworkWriter.Boundary(phase.Freeze)}); // freeze: {CodeWriter.Comment(phase.FreezeDescription)}");
        if (phase.BackboneFrozen)
        {
            w.Line("// The backbone does not change in this phase, so validation runs on cached features.");
            w.Line("using var validation = data.Validation is null ? null : Extract(data.Validation);");
        }

        WriteOptimizer(w, phase, stem, headOnly: phase.BackboneFrozen);
        WriteClassWeights(w, plan, "data.Train");
        w.Line($"using var phase = run.BeginPhase({CodeWriter.String(phase.Name)}, epochs: {phase.Epochs}, optimizer, schedule, samples: data.Train.Count{StepsArgument(plan, phase, stem)});");
        if (phase.Mixes)
        {
            w.Line($"run.LogMixing({CodeWriter.String(phase.Name)}, {stem}Augmentation, onImages: true); // augment.mixup / cutmix: once per phase");
        }

        w.Open("for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)");
        w.Line("this.train(); // the standard call: trainable layers train, frozen ones (and their batch-norm statistics) stay in evaluation mode");
        w.Line("var metrics = phase.BeginEpoch(epoch);");
        w.Line($"{R.Torch}.manual_seed(phase.EpochSeed(epoch)); // dropout draws alike in this epoch on every run, resumed or not");
        w.Call($"foreach (var batch in {R.ModelRuntime}.ReadImages", ["data.Train", "backbone.Input", $"batchSize: {phase.BatchSize}", "shuffle: true", "seed: phase.EpochSeed(epoch)", augmentation], ")");
        w.OpenBrace();
        w.Line($"using var scope = {R.Torch}.NewDisposeScope();");
        if (phase.Mixes)
        {
            w.Line("var targets = batch.Targets!.to(device); // augment.mixup / cutmix: each row the classes' shares in the mixed image");
            w.Line("var labels = targets.argmax(1); // accuracy counts against the class with the larger share");
        }
        else
        {
            w.Line(Truth(plan));
        }

        if (phase.BackboneFrozen)
        {
            w.Line($"{R.Tensor} features;");
            w.Open($"using ({R.Torch}.no_grad())");
            w.Line("features = backbone.call(batch.Images.to(device)); // frozen: no gradients through the backbone");
            w.Close();
            w.Line();
            w.Line($"var {Output(plan)} = ForwardHead(features);");
        }
        else
        {
            w.Line($"var {Output(plan)} = ForwardLogits(batch.Images.to(device));");
        }

        WriteStep(w, plan, phase, stem, mixed: phase.Mixes);
        w.Close();
        WriteStepRemaining(w, phase);
        w.Line();
        w.Line(phase.BackboneFrozen
            ? Validated(plan, "validation", $"EvaluateFeatures(validation, {phase.BatchSize})")
            : Validated(plan, "data.Validation", $"EvaluateImages(data.Validation, {phase.BatchSize})"));
        WriteEndEpoch(w);
        w.Close();
        w.Close();
        w.Line();
    }

    private static void WriteOptimizer(CodeWriter w, PhasePlan phase, string stem, bool headOnly)
    {
        var parameters = headOnly ? "head.parameters()" : "head.parameters(), backbone.TrainableParameters()";
        w.Line($"using var optimizer = {R.ModelRuntime}.CreateOptimizer({stem}Optimizer, {parameters});");
        w.Line(phase.Schedule is null
            ? $"{R.LearningRateSchedule}? schedule = null; // no schedule: the learning rate stays as set"
            : $"var schedule = {R.ModelRuntime}.CreateSchedule({stem}Schedule, optimizer, epochs: {phase.Epochs});");
    }

    private static void WriteClassWeights(CodeWriter w, ModelPlan plan, string train)
    {
        if (plan.Loss.ClassWeights is not null)
        {
            w.Line($"using var classWeights = {R.ModelRuntime}.ClassWeights(ClassWeighting, {train}, Classes, device, nameof({plan.ClassName}), options.Logger); // training.class_weights");
        }
    }

    // A classifier's batch has class indexes (labels) and its head gives logits; a regression model's batch has the
    // true values [N, T] (targets) and its head gives the predictions themselves.
    private static string Truth(ModelPlan plan) => plan.IsRegression ? "var targets = batch.Labels.to(device); // [N, targets], float" : "var labels = batch.Labels.to(device);";

    private static string Output(ModelPlan plan) => plan.IsRegression ? "predictions" : "logits";

    private static void WriteStep(CodeWriter w, ModelPlan plan, PhasePlan phase, string stem, bool mixed = false)
    {
        var weights = plan.Loss.ClassWeights is null ? "null" : "classWeights";
        w.Line(plan.IsRegression ? "var loss = Loss(predictions, targets);"
            : mixed ? $"var loss = MixedLoss(logits, targets, {weights});"
            : plan.Loss.ClassWeights is null ? "var loss = Loss(logits, labels);" : "var loss = TrainingLoss(logits, labels, classWeights); // weighted by class");
        if (phase.StepsThroughRuntime(plan.Training.Ema))
        {
            var average = plan.Training.Ema is null ? "" : ", then the weight average follows (training.ema)";
            w.Line($"phase.Step(loss); // loss.backward(), and optimizer.step() as {stem}Steps says{average}");
        }
        else
        {
            w.Line("optimizer.zero_grad();");
            w.Line("loss.backward();");
            w.Line("optimizer.step();");
        }

        w.Line(plan.IsRegression ? "metrics.AddRegression(loss, predictions, targets);" : "metrics.Add(loss, PredictedClass(logits), labels);");
    }

    private static void WriteStepRemaining(CodeWriter w, PhasePlan phase)
    {
        if (phase.AccumulateBatches > 1)
        {
            w.Line();
            w.Line($"phase.StepRemaining(); // training.accumulate_batches: the epoch's last batches step even when fewer than {phase.AccumulateBatches} are left");
        }
    }

    private static string StepsArgument(ModelPlan plan, PhasePlan phase, string stem) =>
        phase.StepsThroughRuntime(plan.Training.Ema) ? $", {stem}Steps" : "";

    /// <summary>The line that scores an epoch on the validation data: with the averaged weights under <c>training.ema</c>.</summary>
    private static string Validated(ModelPlan plan, string data, string evaluate) => plan.Training.Ema is null
        ? $"var validated = {data} is null ? null : {evaluate};"
        : $"var validated = {data} is null ? null : phase.WithAveragedWeights(() => {evaluate}); // training.ema: validation scores the averaged weights";

    private static void WriteEndEpoch(CodeWriter w)
    {
        w.Open("if (!phase.EndEpoch(metrics, validated))");
        w.Line("break; // early stopping");
        w.Close();
    }

    private static string MethodStem(PhasePlan phase, int index) => GeneratedNames.PhaseStem(index, phase.Name);

    /// <summary>A phase in words: epochs, freezing, optimizer, batch size, data path.</summary>
    internal static string Describe(PhasePlan phase)
    {
        var o = phase.Optimizer;
        return $"{phase.Name}: {phase.Epochs} epochs, freeze {phase.FreezeDescription}, {SpecWords.Optimizers.WordOf(o.Kind)} lr {CodeWriter.Number(o.LearningRate)}"
            + (o.BackboneLearningRate is { } b ? $" (backbone {CodeWriter.Number(b)})" : "")
            + $", batch {phase.BatchSize}"
            + (phase.Augment is null ? "" : ", augmented")
            + (phase.UsesFeatureCache ? ", on cached features" : "");
    }
}
