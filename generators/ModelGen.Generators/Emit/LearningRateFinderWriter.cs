using ModelGen.Generators.Analysis;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>
/// <c>FindLearningRate</c>, the learning-rate range test, beside <c>Train</c>: on features with the settings of the
/// phase <c>Train(FeatureSet)</c> starts with, on an image folder with those of the first phase (on cached features
/// when that phase trains on them, as <c>Train(directory)</c> does). The generated code freezes, builds the optimizer
/// and computes the loss as the phase does; the runtime's <c>LearningRateFinder</c> runs the steps and puts the model
/// back.
/// </summary>
internal static class LearningRateFinderWriter
{
    private const string Returns = "/// <returns>The loss at every step, the suggested learning rate and the plot's path.</returns>";

    /// <param name="w">The writer.</param>
    /// <param name="plan">The model.</param>
    /// <param name="featurePhase">The phase <c>Train(FeatureSet)</c> starts with.</param>
    /// <param name="forceFrozen">Whether that phase trains part of the backbone, which features leave frozen.</param>
    public static void Write(CodeWriter w, ModelPlan plan, int featurePhase, bool forceFrozen)
    {
        WriteOnFeatures(w, plan);
        WriteOnDirectory(w, plan);
        WriteCoreOnFeatures(w, plan, featurePhase, forceFrozen);
        if (!plan.Training.Phases[0].UsesFeatureCache)
        {
            WriteCoreOnImages(w, plan);
        }
    }

    private static void WriteOnFeatures(CodeWriter w, ModelPlan plan)
    {
        w.Summary(
            "The learning-rate range test (Smith 2015; fastai's lr_find) on extracted features: one training step per batch "
            + "while the learning rate rises exponentially (LearningRateFinderOptions: 1e-7 to 10 over 100 steps), until the "
            + "smoothed loss exceeds 4 times its minimum, with the optimizer and batch size Train(features) starts with. "
            + "It starts from the model as it is and puts it back exactly afterwards, so Train runs as if it had not been called. "
            + "The plot goes to lr-finder.png beside Train's curves.");
        w.Line("/// <param name=\"train\">Features from <see cref=\"Extract(string)\"/> of the training images.</param>");
        w.Line("/// <param name=\"finderOptions\">The range, steps, output folder and progress; optional.</param>");
        w.Line(Returns);
        string[] parameters = [$"{R.FeatureSet} train", $"{R.LearningRateFinderOptions}? finderOptions = null"];
        if (plan.Training.ValidationSplit is not { } held)
        {
            w.Call($"public {R.LearningRateFinding} FindLearningRate", parameters, " =>");
            w.Indent();
            w.Line("FindLearningRateOnFeatures(train, finderOptions);");
            w.Outdent();
            w.Line();
            return;
        }

        w.Call($"public {R.LearningRateFinding} FindLearningRate", parameters);
        w.OpenBrace();
        w.Line("// training.validation_split: held out of the training features, as Train(features) holds them out.");
        w.Call($"using var split = {R.ModelRuntime}.SplitFeatures", ["train", "null", $"validationSplit: {CodeWriter.Number(held)}", $"seed: {Seed(plan)}", "options.Logger"], ";");
        w.Line("return FindLearningRateOnFeatures(split.Train, finderOptions);");
        w.Close();
        w.Line();
    }

    private static void WriteOnDirectory(CodeWriter w, ModelPlan plan)
    {
        var first = plan.Training.Phases[0];
        w.Summary(
            "The learning-rate range test on an image folder (one subfolder per class), with the settings of the first phase, "
            + $"\"{first.Name}\" ({(first.UsesFeatureCache ? "on cached features" : "on images")}, as Train(directory) runs it); "
            + "the model is put back exactly afterwards. See FindLearningRate(FeatureSet, LearningRateFinderOptions).");
        w.Line("/// <param name=\"trainDirectory\">The training images, one folder per class.</param>");
        w.Line("/// <param name=\"finderOptions\">The range, steps, output folder and progress; optional.</param>");
        w.Line(Returns);
        w.Call($"public {R.LearningRateFinding} FindLearningRate", ["string trainDirectory", $"{R.LearningRateFinderOptions}? finderOptions = null"]);
        w.OpenBrace();
        var split = plan.Training.ValidationSplit is { } v ? CodeWriter.Number(v) : "null";
        w.Call($"var data = {R.ModelRuntime}.OpenTrainingData", [.. DataCalls.TrainingDataArguments(plan, "trainDirectory", "null"), $"validationSplit: {split}", $"seed: {Seed(plan)}", "options.Logger"], ";");
        if (first.UsesFeatureCache)
        {
            w.Line($"using var features = Extract(data.Train); // training.phases[0] \"{CodeWriter.Comment(first.Name)}\" trains on cached features");
            w.Line("return FindLearningRateOnFeatures(features, finderOptions);");
        }
        else
        {
            w.Line("return FindLearningRateOnImages(data.Train, finderOptions);");
        }

        w.Close();
        w.Line();
    }

    private static void WriteCoreOnFeatures(CodeWriter w, ModelPlan plan, int index, bool forceFrozen)
    {
        var phase = plan.Training.Phases[index];
        var stem = GeneratedNames.PhaseStem(index, phase.Name);
        var note = forceFrozen ? " (head only: features come from the backbone as it is)" : phase.Augment is not null ? " (augmentation does not apply to fixed features)" : "";
        w.Line($"// The range test with the settings of training.phases[{index}] \"{CodeWriter.Comment(phase.Name)}\" on cached features: {CodeWriter.Comment(TrainingWriter.Describe(phase))}{note}.");
        w.Call($"private {R.LearningRateFinding} FindLearningRateOnFeatures", [$"{R.FeatureSet} train", $"{R.LearningRateFinderOptions}? finderOptions"]);
        w.OpenBrace();
        WriteStart(w, plan, "train");
        w.Line($"backbone.Freeze({NetworkWriter.Boundary(FreezeBoundary.All)}); // freeze: {(forceFrozen ? "all (features are fixed)" : CodeWriter.Comment(phase.FreezeDescription))}");
        w.Line($"using var optimizer = {R.ModelRuntime}.CreateOptimizer({stem}Optimizer, head.parameters());");
        WriteClassWeights(w, plan, "train");
        w.Line("return finder.Run(");
        w.Indent();
        w.Line("optimizer,");
        w.Line($"seed => train.Batches(batchSize: {phase.BatchSize}, shuffle: true, seed: seed),");
        w.Line($"batch => {Loss(plan, "ForwardHead(batch.Features.to(device))")});");
        w.Outdent();
        w.Close();
        w.Line();
    }

    private static void WriteCoreOnImages(CodeWriter w, ModelPlan plan)
    {
        var phase = plan.Training.Phases[0];
        var stem = GeneratedNames.PhaseStem(0, phase.Name);
        var augmentation = phase.Augment is null ? "augmentation: null" : $"augmentation: {stem}Augmentation";
        w.Line($"// The range test with the settings of training.phases[0] \"{CodeWriter.Comment(phase.Name)}\" on images: {CodeWriter.Comment(TrainingWriter.Describe(phase))}.");
        w.Call($"private {R.LearningRateFinding} FindLearningRateOnImages", [$"{R.ImageFolder} train", $"{R.LearningRateFinderOptions}? finderOptions"]);
        w.OpenBrace();
        WriteStart(w, plan, "train");
        w.Line($"backbone.Freeze({NetworkWriter.Boundary(phase.Freeze)}); // freeze: {CodeWriter.Comment(phase.FreezeDescription)}");
        var parameters = phase.BackboneFrozen ? "head.parameters()" : "head.parameters(), backbone.TrainableParameters()";
        w.Line($"using var optimizer = {R.ModelRuntime}.CreateOptimizer({stem}Optimizer, {parameters});");
        WriteClassWeights(w, plan, "train");
        w.Line("return finder.Run(");
        w.Indent();
        w.Line("optimizer,");
        w.Call($"seed => {R.ModelRuntime}.ReadImages", ["train", "backbone.Input", $"batchSize: {phase.BatchSize}", "shuffle: true", "seed: seed", augmentation], ",");
        if (phase.BackboneFrozen)
        {
            w.Line("batch =>");
            w.OpenBrace();
            w.Line($"{R.Tensor} features;");
            w.Open($"using ({R.Torch}.no_grad())");
            w.Line("features = backbone.call(batch.Images.to(device)); // frozen: no gradients through the backbone");
            w.Close();
            w.Line();
            w.Line($"return {ImageLoss(plan, phase, "ForwardHead(features)")};");
            w.Close(");");
        }
        else
        {
            w.Line($"batch => {ImageLoss(plan, phase, "ForwardLogits(batch.Images.to(device))")});");
        }

        w.Outdent();
        w.Close();
        w.Line();
    }

    // The finder keeps the model's state from here on and puts it back when disposed, whatever happens after.
    private static void WriteStart(CodeWriter w, ModelPlan plan, string train)
    {
        var check = $"{R.ModelRuntime}.CheckClasses({train}.Classes, DeclaredClasses, ClassCount, nameof({plan.ClassName}));";
        w.Line(plan.Loss.ClassWeights is null ? check + " // the data's classes must fit the head" : "var classes = " + check);
        w.Line("// Keeps the model's weights, freezing, modes and random state; disposing it puts them back.");
        w.Call($"using var finder = {R.LearningRateFinder}.Start", ["this", $"nameof({plan.ClassName})", "finderOptions", Seed(plan), "options"], ";");
    }

    private static void WriteClassWeights(CodeWriter w, ModelPlan plan, string train)
    {
        if (plan.Loss.ClassWeights is not null)
        {
            w.Line($"using var classWeights = {R.ModelRuntime}.ClassWeights(ClassWeighting, {train}, classes, device, nameof({plan.ClassName}), options.Logger); // training.class_weights");
        }
    }

    // A phase that mixes its batches (augment.mixup, cutmix) is tried on its mixed batches, with their mixed targets.
    private static string ImageLoss(ModelPlan plan, PhasePlan phase, string logits) => phase.Mixes
        ? $"MixedLoss({logits}, batch.Targets!.to(device), {(plan.Loss.ClassWeights is null ? "null" : "classWeights")})"
        : Loss(plan, logits);

    private static string Loss(ModelPlan plan, string logits) =>
        plan.IsRegression ? $"Loss({logits}, batch.Labels.to(device))"
        : plan.Loss.ClassWeights is null
        ? $"Loss({logits}, batch.Labels.to(device))"
        : $"TrainingLoss({logits}, batch.Labels.to(device), classWeights)";

    private static string Seed(ModelPlan plan) => $"options.Seed ?? {plan.Training.Seed}";
}
