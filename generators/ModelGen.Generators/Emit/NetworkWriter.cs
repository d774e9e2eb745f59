using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>
/// The network: what the backbone is built from, the head as one list of layers, the modules, the
/// constructor, the forward passes and the loss. The runtime builds the head's modules, forward pass and
/// ONNX export from that one list; submodules run through <c>call</c>, so TorchSharp's hooks fire.
/// </summary>
internal static class NetworkWriter
{
    public static void Write(CodeWriter w, ModelPlan plan)
    {
        WriteDefinition(w, plan);
        WriteHead(w, plan);
        WriteFields(w, plan);
        WriteConstructor(w, plan);
        WriteForward(w, plan);
        WriteLoss(w, plan);
    }

    /// <summary>The typed freeze boundary: <c>FreezeBoundary.All</c>, <c>FreezeBoundary.TrainableFrom("features.24.weight")</c>.</summary>
    public static string Boundary(FreezeBoundary boundary) => boundary.Kind switch
    {
        FreezeKind.All => R.FreezeBoundary + ".All",
        FreezeKind.None => R.FreezeBoundary + ".None",
        FreezeKind.TrainableFrom => $"{R.FreezeBoundary}.TrainableFrom({CodeWriter.String(boundary.Layer!)})",
        _ => $"{R.FreezeBoundary}.FrozenThrough({CodeWriter.String(boundary.Layer!)})",
    };

    private static void WriteDefinition(CodeWriter w, ModelPlan plan)
    {
        var b = plan.Backbone;
        w.Line("// spec key: backbone. What the runtime builds the backbone from.");
        w.Line($"private static readonly {R.BackboneDefinition} BackboneDefinition = new(");
        w.Indent();
        w.Line($"Architecture: {R.Backbones}.Architecture.{b.Architecture},");
        w.Line($"Weights: {R.Backbones}.WeightsKind.{b.Weights},");
        w.Line($"CutAt: {Literal(b.CutAt)},{(b.CutAt != b.CutDisplay ? $" // truncate_at: {CodeWriter.Comment(b.CutDisplay)}" : "")}");
        w.Line("InputShape: InputShape,");
        w.Line("FeatureShape: FeatureShape,");
        w.Line($"SourceChannels: {plan.Input.SourceChannels},");
        w.Line($"BatchNorm: {R.Backbones}.BatchNormMode.{b.BatchNorm}, // batch_norm");
        // The last argument closes the call; the spec's own folder is relative to the project folder, where the
        // build copies the files the spec names into the output (ModelGen.targets), so nothing absolute is embedded.
        var arguments = new List<string> { $"SpecDirectory: {CodeWriter.String(plan.SpecDirectory)}" };
        if (b.WeightsFile is not null)
        {
            arguments.Add($"WeightsFile: {CodeWriter.String(b.WeightsFile)}");
        }

        if (b.OnnxPath is not null)
        {
            arguments.Add($"OnnxPath: {CodeWriter.String(b.OnnxPath)}");
        }

        if (b.WeightsUrl is not null)
        {
            arguments.Add($"WeightsUrl: {CodeWriter.String(b.WeightsUrl)}");
        }

        if (b.WeightsSha256 is not null)
        {
            arguments.Add($"WeightsSha256: {CodeWriter.String(b.WeightsSha256)}");
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            w.Line(arguments[i] + (i == arguments.Count - 1 ? ");" : ","));
        }

        w.Outdent();
        w.Line();
    }

    private static void WriteHead(CodeWriter w, ModelPlan plan)
    {
        w.Line("// spec key: head. The one description of the head: its modules, forward pass and ONNX export are built from it.");
        w.Line($"private static readonly {R.HeadLayer}[] HeadLayers =");
        w.OpenBrace();
        for (var i = 0; i < plan.Head.Count; i++)
        {
            var layer = plan.Head[i].Layer;
            var item = layer.Kind switch
            {
                HeadLayerKind.Flatten => $"{R.HeadLayer}.Flatten()",
                HeadLayerKind.GlobalAveragePool => $"{R.HeadLayer}.GlobalAveragePool()",
                HeadLayerKind.GlobalMaxPool => $"{R.HeadLayer}.GlobalMaxPool()",
                HeadLayerKind.ClassToken => $"{R.HeadLayer}.ClassToken()",
                HeadLayerKind.TokenMean => $"{R.HeadLayer}.TokenMean()",
                HeadLayerKind.Dropout => $"{R.HeadLayer}.Dropout({CodeWriter.Number(layer.Rate)})",
                _ => layer.Activation == Activation.None
                    ? $"{R.HeadLayer}.Dense({layer.Units})"
                    : $"{R.HeadLayer}.Dense({layer.Units}, {R.Activation}.{layer.Activation})",
            };
            var last = i == plan.Head.Count - 1;
            var note = last && layer.Activation != Activation.None
                ? $"; the head gives logits, forward and Predict apply the {SpecWords.Activations.WordOf(layer.Activation)}"
                : "";
            w.Line($"{item}, // head[{i}]{note}");
        }

        w.Close(";");
        w.Line();
        w.Line("// A fingerprint of the architecture, cut and head: saved models load only into the same shape.");
        w.Line($"private const string Fingerprint = {CodeWriter.String(Fingerprints.Of(plan))};");
        w.Line();
    }

    private static void WriteFields(CodeWriter w, ModelPlan plan)
    {
        w.Line("// Modules, registered under these names: they are the state_dict keys of saved models.");
        w.Line($"private readonly {R.Backbone} backbone;");
        w.Line($"private readonly {R.Head} head;");
        w.Line($"private readonly {R.ModelOptions} options;");
        w.Line($"private readonly {R.Device} device;");
        w.Line();
    }

    private static void WriteConstructor(CodeWriter w, ModelPlan plan)
    {
        var first = plan.Training.Phases[0];
        var architecture = SpecWords.NameOf(plan.Backbone.Architecture);
        w.Line($"private {plan.ClassName}({R.ModelOptions} options, bool pretrained)");
        w.Line($"    : base(nameof({plan.ClassName}))");
        w.OpenBrace();
        w.Line("this.options = options;");
        w.Line($"device = {R.ModelRuntime}.ResolveDevice(options);");
        w.Line("// training.seed: the same start on every run; the caller's random state is left as it was.");
        w.Line($"using ({R.ModelRuntime}.EnterSeed(options.Seed ?? {plan.Training.Seed}))");
        w.OpenBrace();
        w.Line($"backbone = {R.ModelRuntime}.CreateBackbone(BackboneDefinition, options, pretrained);");
        w.Line($"head = new {R.Head}(FeatureShape, HeadLayers);");
        w.Close();
        w.Line();
        w.Line("RegisterComponents();");
        w.Line($"Classes = DeclaredClasses.Count > 0 ? DeclaredClasses : {R.ModelRuntime}.PlaceholderClasses(ClassCount);");
        w.Line($"backbone.Freeze({Boundary(first.Freeze)}); // freeze: {CodeWriter.Comment(first.FreezeDescription)}");
        w.Line($"{R.ModuleExtensions}.to(this, device);");
        w.Close();
        w.Line();

        var weights = plan.Backbone.WeightsFile ?? plan.Backbone.WeightsUrl ?? SpecWords.Weights.WordOf(plan.Backbone.Weights);
        w.Summary($"Builds the model: the {architecture} backbone with its weights ({weights}), cut at {plan.Backbone.CutDisplay} and frozen as the spec says, and a freshly initialised head, on the chosen device.");
        w.Line("/// <param name=\"options\">Device, weights, cache folder and seed; null for the defaults and the MODELGEN_* environment.</param>");
        w.Line($"public static {plan.ClassName} Create({R.ModelOptions}? options = null) => new(options ?? new {R.ModelOptions}(), pretrained: true);");
        w.Line();
        w.Summary(plan.IsRegression
            ? "The names of the model's outputs, in order: the targets (spec key: targets), as the manifest's columns and Evaluate's figures name them."
            : "The class names in output order: the declared labels, or the class folders the model was trained on.");
        w.Line($"public {R.ReadOnlyList}<string> Classes {{ get; private set; }}");
        w.Line();
        w.Summary("The device the model runs on.");
        w.Line($"public {R.Device} Device => device;");
        w.Line();
        w.Summary("The backbone as cut, with its preprocessing and freeze policy.");
        w.Line($"public {R.Backbone} Backbone => backbone;");
        w.Line();
        w.Summary(plan.IsRegression ? "The head (spec key: head); it gives the predicted targets." : "The head (spec key: head); it gives logits.");
        w.Line($"public {R.Head} Head => head;");
        w.Line();
    }

    private static void WriteForward(CodeWriter w, ModelPlan plan)
    {
        var output = plan.Loss.FinalActivation;
        var word = SpecWords.Activations.WordOf(output);
        if (plan.IsRegression)
        {
            WriteRegressionForward(w, plan);
            return;
        }

        w.Summary($"The model's output for a batch of preprocessed images [N, 3, {plan.Input.Height}, {plan.Input.Width}]: {(output == Activation.None ? "raw class scores" : word + " of the class scores")}.");
        w.Line($"public override {R.Tensor} forward({R.Tensor} images) =>");
        w.Line("    head.Output(ForwardLogits(images));");
        w.Line();
        w.Summary("Raw class scores (logits) for a batch of preprocessed images; the loss works on these.");
        w.Line($"public {R.Tensor} ForwardLogits({R.Tensor} images) =>");
        w.Line("    head.call(backbone.call(images));");
        w.Line();
        w.Summary($"The head alone, on backbone features [N, {string.Join(", ", plan.Backbone.FeatureShape)}]; returns logits.");
        w.Line($"public {R.Tensor} ForwardHead({R.Tensor} features) => head.call(features);");
        w.Line();
    }

    // task: regression: the head's last dense layer gives the numbers themselves (activation none).
    private static void WriteRegressionForward(CodeWriter w, ModelPlan plan)
    {
        var targets = string.Join(", ", plan.Targets.Select(t => t.Name));
        w.Summary($"The model's predictions for a batch of preprocessed images [N, 3, {plan.Input.Height}, {plan.Input.Width}]: [N, {plan.Targets.Count}], one column per target ({targets}).");
        w.Line($"public override {R.Tensor} forward({R.Tensor} images) =>");
        w.Line("    ForwardLogits(images);");
        w.Line();
        w.Summary("The head's outputs for a batch of preprocessed images: for a regression model, the predictions themselves; the loss works on these.");
        w.Line($"public {R.Tensor} ForwardLogits({R.Tensor} images) =>");
        w.Line("    head.call(backbone.call(images));");
        w.Line();
        w.Summary($"The head alone, on backbone features [N, {string.Join(", ", plan.Backbone.FeatureShape)}]; returns the predictions.");
        w.Line($"public {R.Tensor} ForwardHead({R.Tensor} features) => head.call(features);");
        w.Line();
    }

    private static void WriteLoss(CodeWriter w, ModelPlan plan)
    {
        if (!plan.IsRegression && plan.Training.Phases.Any(p => p.Mixes && !p.UsesFeatureCache))
        {
            WriteMixedLoss(w, plan.Loss);
        }

        if (plan.IsRegression)
        {
            WriteRegressionLoss(w, plan.Loss);
        }
        else if (plan.Loss.IsCustom)
        {
            WriteRuntimeLoss(w, plan);
        }
        else if (plan.Loss.IsBinary)
        {
            var smoothing = plan.Loss.LabelSmoothing;
            w.Line("// loss: binary_crossentropy, computed on the logit for numerical stability.");
            if (smoothing > 0)
            {
                w.Line($"// label_smoothing: {CodeWriter.Number(smoothing)}, so the 0/1 targets become {CodeWriter.Number(smoothing / 2)} and {CodeWriter.Number(1 - (smoothing / 2))}.");
            }

            w.Line($"private static {R.Tensor} Loss({R.Tensor} logits, {R.Tensor} labels) =>");
            var target = smoothing > 0
                ? $"labels.to_type({R.Torch}.ScalarType.Float32) * {CodeWriter.Number(1 - smoothing)}f + {CodeWriter.Number(smoothing / 2)}f"
                : $"labels.to_type({R.Torch}.ScalarType.Float32)";
            w.Line($"    {R.Torch}.nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), {target});");
            w.Line();
            WritePredictions(w, plan.Loss);
        }
        else
        {
            var smoothing = plan.Loss.LabelSmoothing;
            w.Line("// loss: categorical_crossentropy on logits (softmax and log in one step), labels as class indexes.");
            w.Line($"private static {R.Tensor} Loss({R.Tensor} logits, {R.Tensor} labels) =>");
            w.Line(smoothing > 0
                ? $"    {R.Torch}.nn.functional.cross_entropy(logits, labels, label_smoothing: {CodeWriter.Number(smoothing)}); // label_smoothing"
                : $"    {R.Torch}.nn.functional.cross_entropy(logits, labels);");
            w.Line();
            WritePredictions(w, plan.Loss);
        }

        w.Line();
    }

    // augment.mixup and augment.cutmix: the training loss on the mixed targets of ImageBatch.Targets (ModelGen.Training.Losses).
    private static void WriteMixedLoss(CodeWriter w, LossPlan loss)
    {
        if (loss.IsBinary)
        {
            w.Line("// augment.mixup / cutmix: binary cross-entropy against the mixed share t of class 1 (targets [N, 2]), label smoothing on t,");
            w.Line("// each image weighing t * w1 + (1 - t) * w0 under class_weights.");
        }
        else
        {
            w.Line("// augment.mixup / cutmix: cross-entropy against the mixed targets [N, K], -sum(q * log softmax(logits)), label smoothing on");
            w.Line("// the mixed rows, each image weighing sum(q * w) under class_weights.");
        }

        var function = loss.IsBinary ? $"{R.ModelRuntime}.MixedBinaryLoss" : $"{R.ModelRuntime}.MixedCategoricalLoss";
        w.Line($"private static {R.Tensor} MixedLoss({R.Tensor} logits, {R.Tensor} targets, {R.Tensor}? classWeights) =>");
        w.Line($"    {function}(logits, targets, classWeights, labelSmoothing: {CodeWriter.Number(loss.LabelSmoothing)});");
        w.Line();
    }

    // training.class_weights and training.focal_gamma: the runtime's losses (ModelGen.Training.Losses), then the
    // same predicted class and probabilities as the plain losses.
    private static void WriteRuntimeLoss(CodeWriter w, ModelPlan plan)
    {
        var loss = plan.Loss;
        var function = loss.IsBinary ? $"{R.ModelRuntime}.BinaryLoss" : $"{R.ModelRuntime}.CategoricalLoss";
        var settings = $"focalGamma: {CodeWriter.Number(loss.FocalGamma)}, labelSmoothing: {CodeWriter.Number(loss.LabelSmoothing)}";
        w.Line(loss.IsBinary
            ? "// loss: binary_crossentropy on the logit, per image, then averaged."
            : "// loss: categorical_crossentropy on logits, labels as class indexes, per image, then averaged.");
        if (loss.FocalGamma > 0)
        {
            w.Line($"// focal_gamma: {CodeWriter.Number(loss.FocalGamma)}: each image's loss is multiplied by (1 - p_t)^{CodeWriter.Number(loss.FocalGamma)}, p_t the probability of its true class (focal loss).");
        }

        if (loss.LabelSmoothing > 0)
        {
            w.Line($"// label_smoothing: {CodeWriter.Number(loss.LabelSmoothing)}.");
        }

        w.Line($"private static {R.Tensor} Loss({R.Tensor} logits, {R.Tensor} labels) =>");
        w.Line($"    {function}(logits, labels, null, {settings});");
        w.Line();
        if (loss.ClassWeights is { } weights)
        {
            w.Line(weights.Balanced
                ? "// class_weights: balanced: each class weighs N / (K * n_c) for the N training images, K classes and n_c images of the class."
                : "// class_weights: the spec's weight per label; labels left out weigh 1.");
            w.Line("// Training weighs each image's loss by its class and divides by the sum of the weights; validation is not weighted.");
            if (weights.Balanced)
            {
                w.Line($"private static readonly {R.ClassWeighting} ClassWeighting = {R.ClassWeighting}.Balanced;");
            }
            else
            {
                w.Call(
                    $"private static readonly {R.ClassWeighting} ClassWeighting = {R.ClassWeighting}.Explicit",
                    weights.Weights.Select(x => $"({CodeWriter.String(x.Label)}, {CodeWriter.Number(x.Weight)})").ToArray(),
                    ";");
            }

            w.Line();
            w.Line($"private static {R.Tensor} TrainingLoss({R.Tensor} logits, {R.Tensor} labels, {R.Tensor} classWeights) =>");
            w.Line($"    {function}(logits, labels, classWeights, {settings});");
            w.Line();
        }

        WritePredictions(w, loss);
    }

    // task: regression: the runtime's regression losses (ModelGen.Training.RegressionLosses) on predictions and targets [N, T].
    private static void WriteRegressionLoss(CodeWriter w, LossPlan loss)
    {
        if (loss.Kind == LossKind.Huber)
        {
            var delta = CodeWriter.Number(loss.HuberDelta);
            w.Line($"// loss: huber, huber_delta: {delta}: per value 0.5 e^2 where |e| <= {delta}, else {delta} (|e| - 0.5 * {delta}); averaged over images and targets.");
            w.Line($"private static {R.Tensor} Loss({R.Tensor} predictions, {R.Tensor} targets) =>");
            w.Line($"    {R.ModelRuntime}.HuberLoss(predictions, targets, delta: {delta});");
        }
        else
        {
            w.Line("// loss: mse: the mean squared error, averaged over images and targets.");
            w.Line($"private static {R.Tensor} Loss({R.Tensor} predictions, {R.Tensor} targets) =>");
            w.Line($"    {R.ModelRuntime}.MeanSquaredErrorLoss(predictions, targets);");
        }
    }

    // PredictedClass and Probabilities, the same whichever loss trains the head.
    private static void WritePredictions(CodeWriter w, LossPlan loss)
    {
        if (loss.IsBinary)
        {
            w.Line("// The predicted class: 1 where the logit is positive (probability above 0.5).");
            w.Line($"private static {R.Tensor} PredictedClass({R.Tensor} logits) =>");
            w.Line($"    logits.squeeze(1).gt(0).to_type({R.Torch}.ScalarType.Int64);");
            w.Line();
            w.Line("// Probabilities of both classes, [N, 2].");
            w.Open($"private static {R.Tensor} Probabilities({R.Tensor} logits)");
            w.Line($"var positive = {R.Torch}.sigmoid(logits);");
            w.Line($"return {R.Torch}.cat(new[] {{ 1 - positive, positive }}, 1);");
            w.Close();
        }
        else
        {
            w.Line("// The predicted class: the highest score.");
            w.Line($"private static {R.Tensor} PredictedClass({R.Tensor} logits) =>");
            w.Line("    logits.argmax(1);");
            w.Line();
            w.Line($"// Probabilities of the {loss.OutputUnits} classes, [N, {loss.OutputUnits}].");
            w.Line($"private static {R.Tensor} Probabilities({R.Tensor} logits) =>");
            w.Line($"    {R.Torch}.nn.functional.softmax(logits, 1);");
        }
    }

    private static string Literal(string? text) => text is null ? "null" : CodeWriter.String(text);
}
