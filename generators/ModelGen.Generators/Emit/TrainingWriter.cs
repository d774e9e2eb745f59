using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Analysis;

namespace ModelGen.Generators.Emit;

/// <summary>
/// The training code, unrolled per phase: each phase gets its own method with its freeze policy,
/// optimizer, batch size and data path (cached features, or images with or without augmentation).
/// </summary>
internal static class TrainingWriter
{
    private const string Torch = ModuleWriter.Torch;

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
        w.Line("private global::ModelGen.Training.TrainingRun StartRun(global::ModelGen.TrainOptions? trainOptions) =>");
        w.Line($"    global::ModelGen.Training.TrainingRun.Start(this, nameof({plan.ClassName}), trainOptions, Checkpoints, EarlyStopping, options.Seed ?? {plan.Training.Seed});");
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
    }

    private static void WriteSettings(CodeWriter w, ModelPlan plan)
    {
        var t = plan.Training;
        if (t.Checkpoints is { } c)
        {
            w.Line($"// training.checkpoints: after every epoch, kept {c.Keep}; resume with TrainOptions.Resume.");
            w.Line($"private static readonly global::ModelGen.Training.CheckpointSettings? Checkpoints = new({CodeWriter.String(c.Directory)}, Keep: {c.Keep});");
        }
        else
        {
            w.Line("// training.checkpoints: none.");
            w.Line("private static readonly global::ModelGen.Training.CheckpointSettings? Checkpoints = null;");
        }

        w.Line();
        if (t.EarlyStopping is { } e)
        {
            w.Line("// training.early_stopping: applies within each phase.");
            w.Line($"private static readonly global::ModelGen.Training.EarlyStoppingSettings? EarlyStopping = new({CodeWriter.String(e.Monitor)}, Patience: {e.Patience}, RestoreBest: {CodeWriter.Bool(e.RestoreBest)}, MinDelta: {CodeWriter.Number(e.MinDelta)});");
        }
        else
        {
            w.Line("// training.early_stopping: none; every phase runs all its epochs.");
            w.Line("private static readonly global::ModelGen.Training.EarlyStoppingSettings? EarlyStopping = null;");
        }

        w.Line();
        for (var i = 0; i < t.Phases.Count; i++)
        {
            if (t.Phases[i].Augment is not { } a)
            {
                continue;
            }

            w.Line($"// training.phases[{i}] ({t.Phases[i].Name}) augment, with Keras ImageDataGenerator meanings.");
            w.Line($"private static readonly global::ModelGen.Data.Augmentation {MethodStem(t.Phases[i], i)}Augmentation = new(");
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
            w.Line($"Fill: global::ModelGen.Data.FillMode.{Identifiers.Pascal(a.Fill, "Nearest")});");
            w.Outdent();
            w.Line();
        }
    }

    private static void WriteTrainOnFeatures(CodeWriter w, ModelPlan plan, List<int> phases, bool headOnly)
    {
        var names = string.Join(", ", phases.Select(i => $"\"{plan.Training.Phases[i].Name}\""));
        w.Summary(headOnly
            ? $"Trains the head on extracted features (the seed's method 1) with the settings of phase {names}; the backbone stays as it is."
            : $"Trains the head on extracted features (the seed's method 1): phase{(phases.Count > 1 ? $"s {names}, which keep" : $" {names}, which keeps")} the backbone frozen.");
        w.Line("/// <param name=\"train\">Features from <see cref=\"Extract(string)\"/> of the training images.</param>");
        w.Line("/// <param name=\"validation\">Features of validation images, for val_loss and val_accuracy; optional.</param>");
        w.Line("/// <param name=\"trainOptions\">Resuming, output folder, progress display; optional.</param>");
        w.Open($"public global::ModelGen.TrainingHistory Train(global::ModelGen.Data.FeatureSet train, global::ModelGen.Data.FeatureSet? validation = null, global::ModelGen.TrainOptions? trainOptions = null)");
        w.Line("UseClasses(train.Classes);");
        w.Line("using var run = StartRun(trainOptions);");
        foreach (var i in phases)
        {
            w.Line($"{MethodStem(plan.Training.Phases[i], i)}OnFeatures(train, validation, run);");
        }

        w.Line("return run.Finish();");
        w.Close();
        w.Line();
    }

    private static void WriteTrainOnImages(CodeWriter w, ModelPlan plan)
    {
        var phases = plan.Training.Phases;
        w.Summary("Runs every phase of the spec on image folders (one subfolder per class): " + string.Join("; ", phases.Select(Describe)) + ".");
        w.Line("/// <param name=\"trainDirectory\">The training images, one folder per class.</param>");
        w.Line($"/// <param name=\"validationDirectory\">Validation images for val_loss and val_accuracy; optional{(plan.Training.ValidationSplit is { } s ? $" (without it, {CodeWriter.Number(s)} of the training images are held out: training.validation_split)" : "")}.</param>");
        w.Line("/// <param name=\"trainOptions\">Resuming, output folder, progress display; optional.</param>");
        w.Open("public global::ModelGen.TrainingHistory Train(string trainDirectory, string? validationDirectory = null, global::ModelGen.TrainOptions? trainOptions = null)");
        var split = plan.Training.ValidationSplit is { } v ? CodeWriter.Number(v) : "null";
        w.Line($"var data = global::ModelGen.Data.TrainingData.Open(trainDirectory, validationDirectory, DeclaredClasses, validationSplit: {split}, seed: options.Seed ?? {plan.Training.Seed});");
        w.Line("UseClasses(data.Classes);");
        w.Line("using var run = StartRun(trainOptions);");
        for (var i = 0; i < phases.Count; i++)
        {
            var phase = phases[i];
            var stem = MethodStem(phase, i);
            w.Line();
            w.Line($"// training.phases[{i}] \"{phase.Name}\": {(phase.UsesFeatureCache ? "frozen backbone, no augmentation: trains on cached features" : phase.BackboneFrozen ? "frozen backbone with augmentation: images through the backbone every epoch" : "part of the backbone trains: end to end on images")}.");
            if (phase.UsesFeatureCache)
            {
                w.Open("if (!run.IsPhaseDone(" + CodeWriter.String(phase.Name) + "))");
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
        w.Line("return run.Finish();");
        w.Close();
        w.Line();
        w.Open("private void UseClasses(global::System.Collections.Generic.IReadOnlyList<string> classes)");
        w.Line($"Classes = global::ModelGen.Data.ClassNames.Check(classes, DeclaredClasses, ClassCount, nameof({plan.ClassName}));");
        w.Close();
        w.Line();
    }

    private static void WritePhaseOnFeatures(CodeWriter w, ModelPlan plan, int index, bool forceFrozen)
    {
        var phase = plan.Training.Phases[index];
        var stem = MethodStem(phase, index);
        var note = forceFrozen ? " (head only: features come from the backbone as it is)" : phase.Augment is not null ? " (augmentation does not apply to fixed features)" : "";
        w.Line($"// training.phases[{index}] \"{phase.Name}\" on cached features: {Describe(phase)}{note}.");
        w.Open($"private void {stem}OnFeatures(global::ModelGen.Data.FeatureSet train, global::ModelGen.Data.FeatureSet? validation, global::ModelGen.Training.TrainingRun run)");
        w.Line($"backbone.Freeze(firstTrainableParameter: null, {ModuleWriter.BatchNorm(plan)}); // freeze: {(forceFrozen ? "all (features are fixed)" : phase.FreezeDescription)}");
        WriteOptimizer(w, phase, headOnly: true);
        w.Line($"using var phase = run.BeginPhase({CodeWriter.String(phase.Name)}, epochs: {phase.Epochs}, optimizer, schedule, samples: train.Count);");
        w.Open("for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)");
        w.Line("HeadTrainingMode();");
        w.Line($"var metrics = phase.BeginEpoch(epoch, batches: train.BatchCount({phase.BatchSize}));");
        w.Line($"{Torch}.manual_seed(phase.EpochSeed(epoch)); // dropout draws alike in this epoch on every run, resumed or not");
        w.Open($"foreach (var batch in train.Batches(batchSize: {phase.BatchSize}, shuffle: true, seed: phase.EpochSeed(epoch)))");
        w.Line($"using var scope = {Torch}.NewDisposeScope();");
        w.Line("var labels = batch.Labels.to(device);");
        w.Line("var logits = ForwardHead(batch.Features.to(device));");
        WriteStep(w);
        w.Close();
        w.Line();
        w.Line($"var validated = validation is null ? null : EvaluateFeatures(validation, {phase.BatchSize});");
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
        w.Line($"// training.phases[{index}] \"{phase.Name}\" on images: {Describe(phase)}.");
        w.Open($"private void {stem}OnImages(global::ModelGen.Data.TrainingData data, global::ModelGen.Training.TrainingRun run)");
        w.Open($"if (run.IsPhaseDone({CodeWriter.String(phase.Name)}))");
        w.Line("return;");
        w.Close();
        w.Line();
        w.Line($"backbone.Freeze({ModuleWriter.Boundary(phase)}, {ModuleWriter.BatchNorm(plan)}); // freeze: {phase.FreezeDescription}");
        if (phase.BackboneFrozen)
        {
            w.Line("// The backbone does not change in this phase, so validation runs on cached features.");
            w.Line("using var validation = data.Validation is null ? null : Extract(data.Validation);");
        }

        WriteOptimizer(w, phase, headOnly: phase.BackboneFrozen);
        w.Line($"using var phase = run.BeginPhase({CodeWriter.String(phase.Name)}, epochs: {phase.Epochs}, optimizer, schedule, samples: data.Train.Count);");
        w.Open("for (var epoch = phase.FirstEpoch; epoch < phase.Epochs; epoch++)");
        w.Line("backbone.TrainingMode(); // trainable layers train; frozen ones (and their batch-norm statistics) stay in evaluation mode");
        w.Line("HeadTrainingMode();");
        w.Line($"var metrics = phase.BeginEpoch(epoch, batches: data.Train.BatchCount({phase.BatchSize}));");
        w.Line($"{Torch}.manual_seed(phase.EpochSeed(epoch)); // dropout draws alike in this epoch on every run, resumed or not");
        w.Open($"foreach (var batch in global::ModelGen.Data.ImageBatches.Read(data.Train, backbone.Input, batchSize: {phase.BatchSize}, shuffle: true, seed: phase.EpochSeed(epoch), {augmentation}))");
        w.Line($"using var scope = {Torch}.NewDisposeScope();");
        w.Line("var labels = batch.Labels.to(device);");
        if (phase.BackboneFrozen)
        {
            w.Line($"{Torch}.Tensor features;");
            w.Open($"using ({Torch}.no_grad())");
            w.Line("features = backbone.forward(batch.Images.to(device)); // frozen: no gradients through the backbone");
            w.Close();
            w.Line();
            w.Line("var logits = ForwardHead(features);");
        }
        else
        {
            w.Line("var logits = ForwardLogits(batch.Images.to(device));");
        }

        WriteStep(w);
        w.Close();
        w.Line();
        w.Line(phase.BackboneFrozen
            ? $"var validated = validation is null ? null : EvaluateFeatures(validation, {phase.BatchSize});"
            : $"var validated = data.Validation is null ? null : EvaluateImages(data.Validation, {phase.BatchSize});");
        WriteEndEpoch(w);
        w.Close();
        w.Close();
        w.Line();
    }

    private static void WriteOptimizer(CodeWriter w, PhasePlan phase, bool headOnly)
    {
        var o = phase.Optimizer;
        var backboneParameters = headOnly ? "global::System.Array.Empty<global::TorchSharp.Modules.Parameter>()" : "backbone.TrainableParameters()";
        var backboneLr = o.BackboneLearningRate is { } rate && !headOnly ? $", backboneLr: {CodeWriter.Number(rate)}" : "";
        var extra = o.Type switch
        {
            "sgd" => $", momentum: {CodeWriter.Number(o.Momentum)}, weightDecay: {CodeWriter.Number(o.WeightDecay)}, nesterov: {CodeWriter.Bool(o.Nesterov)}",
            "rmsprop" => $", momentum: {CodeWriter.Number(o.Momentum)}, weightDecay: {CodeWriter.Number(o.WeightDecay)}",
            _ => $", weightDecay: {CodeWriter.Number(o.WeightDecay)}",
        };
        var method = o.Type switch
        {
            "sgd" => "Sgd",
            "adam" => "Adam",
            "adamw" => "AdamW",
            _ => "RmsProp",
        };
        w.Line($"using var optimizer = global::ModelGen.Training.Optimizers.{method}(HeadParameters(), {backboneParameters}, lr: {CodeWriter.Number(o.LearningRate)}{backboneLr}{extra});");
        var schedule = phase.Schedule switch
        {
            null => "null",
            { Type: "step" } s => $"global::ModelGen.Training.LearningRateSchedule.Step(optimizer, stepSize: {s.StepSize}, gamma: {CodeWriter.Number(s.Gamma)})",
            { Type: "cosine" } s => $"global::ModelGen.Training.LearningRateSchedule.Cosine(optimizer, epochs: {phase.Epochs}, minLr: {CodeWriter.Number(s.MinLearningRate)})",
            { } s => $"global::ModelGen.Training.LearningRateSchedule.Plateau(optimizer, factor: {CodeWriter.Number(s.Factor)}, patience: {s.Patience}, minLr: {CodeWriter.Number(s.MinLearningRate)})",
        };
        w.Line(phase.Schedule is null
            ? "global::ModelGen.Training.LearningRateSchedule? schedule = null; // no schedule: the learning rate stays as set"
            : $"var schedule = {schedule}; // schedule: {phase.Schedule.Type}");
    }

    private static void WriteStep(CodeWriter w)
    {
        w.Line("var loss = Loss(logits, labels);");
        w.Line("optimizer.zero_grad();");
        w.Line("loss.backward();");
        w.Line("optimizer.step();");
        w.Line("metrics.Add(loss, PredictedClass(logits), labels);");
    }

    private static void WriteEndEpoch(CodeWriter w)
    {
        w.Open("if (!phase.EndEpoch(metrics, validated))");
        w.Line("break; // early stopping");
        w.Close();
    }

    private static string MethodStem(PhasePlan phase, int index) => $"Phase{index + 1}{Identifiers.Pascal(phase.Name, "")}";

    private static string Describe(PhasePlan phase)
    {
        var o = phase.Optimizer;
        return $"{phase.Name}: {phase.Epochs} epochs, freeze {phase.FreezeDescription}, {o.Type} lr {CodeWriter.Number(o.LearningRate)}"
            + (o.BackboneLearningRate is { } b ? $" (backbone {CodeWriter.Number(b)})" : "")
            + $", batch {phase.BatchSize}"
            + (phase.Augment is null ? "" : ", augmented")
            + (phase.UsesFeatureCache ? ", on cached features" : "");
    }
}
