using System.Linq;
using ModelGen.Generators.Analysis;

namespace ModelGen.Generators.Emit;

/// <summary>The modules of a model (backbone and head), its construction and its forward passes.</summary>
internal static class ModuleWriter
{
    public const string Torch = "global::TorchSharp.torch";

    public static void Write(CodeWriter w, ModelPlan plan)
    {
        WriteDefinition(w, plan);
        WriteFields(w, plan);
        WriteConstructor(w, plan);
        WriteForward(w, plan);
        WriteLoss(w, plan);
    }

    private static void WriteDefinition(CodeWriter w, ModelPlan plan)
    {
        var b = plan.Backbone;
        w.Line("// spec key: backbone. What the runtime builds the backbone from.");
        w.Line("private static readonly global::ModelGen.Backbones.BackboneDefinition BackboneDefinition = new(");
        w.Indent();
        w.Line($"Architecture: {CodeWriter.String(b.Architecture)},");
        w.Line($"Weights: {CodeWriter.String(b.Weights)},");
        w.Line($"OnnxPath: {(b.OnnxPath is null ? "null" : CodeWriter.String(b.OnnxPath))},");
        w.Line($"CutAt: {(b.CutAt is null ? "null" : CodeWriter.String(b.CutAt))},{(b.CutAt != b.CutDisplay ? $" // truncate_at: {b.CutDisplay}" : "")}");
        w.Line("InputShape: InputShape,");
        w.Line("FeatureShape: FeatureShape,");
        w.Line($"SourceChannels: {plan.Input.SourceChannels},");
        w.Line($"SpecDirectory: {CodeWriter.String(plan.SpecDirectory)}, // relative to the project folder, which the build records in the assembly");
        w.Line($"Owner: typeof({plan.ClassName}).Assembly);");
        w.Outdent();
        w.Line();
        w.Line($"// A fingerprint of the architecture, cut and head: saved models load only into the same shape.");
        w.Line($"private const string Fingerprint = {CodeWriter.String(Fingerprints.Of(plan))};");
        w.Line();
    }

    private static void WriteFields(CodeWriter w, ModelPlan plan)
    {
        w.Line("// Modules, registered under these names: they are the state_dict keys of saved models.");
        w.Line("private readonly global::ModelGen.Backbones.Backbone backbone;");
        for (var i = 0; i < plan.Head.Count; i++)
        {
            var layer = plan.Head[i];
            var type = layer.Kind switch
            {
                "dense" => "global::TorchSharp.Modules.Linear",
                "dropout" => "global::TorchSharp.Modules.Dropout",
                _ => null,
            };
            if (type is not null)
            {
                w.Line($"private readonly {type} {layer.FieldName}; // head[{i}]: {ModelEmitter.Describe(layer)}");
            }
        }

        w.Line("private readonly global::ModelGen.ModelOptions options;");
        w.Line($"private readonly {Torch}.Device device;");
        w.Line();
    }

    private static void WriteConstructor(CodeWriter w, ModelPlan plan)
    {
        var first = plan.Training.Phases[0];
        w.Line($"private {plan.ClassName}(global::ModelGen.ModelOptions options, bool pretrained)");
        w.Line($"    : base(nameof({plan.ClassName}))");
        w.OpenBrace();
        w.Line("this.options = options;");
        w.Line("device = global::ModelGen.DeviceSelection.Resolve(options);");
        w.Line($"{Torch}.manual_seed(options.Seed ?? {plan.Training.Seed}); // training.seed: the head starts the same on every run");
        w.Line("backbone = global::ModelGen.Backbones.BackboneFactory.Create(BackboneDefinition, options, pretrained);");
        foreach (var layer in plan.Head)
        {
            if (layer.Kind == "dense")
            {
                w.Line($"{layer.FieldName} = {Torch}.nn.Linear({layer.InFeatures}, {layer.OutFeatures});");
            }
            else if (layer.Kind == "dropout")
            {
                w.Line($"{layer.FieldName} = {Torch}.nn.Dropout({CodeWriter.Number(layer.Rate)});");
            }
        }

        w.Line("RegisterComponents();");
        w.Line($"Classes = DeclaredClasses.Count > 0 ? DeclaredClasses : global::ModelGen.Data.ClassNames.Placeholder(ClassCount);");
        w.Line($"backbone.Freeze({Boundary(first)}, {BatchNorm(plan)}); // freeze: {first.FreezeDescription}");
        w.Line("global::TorchSharp.ModuleExtensionMethods.to(this, device);");
        w.Close();
        w.Line();

        w.Summary($"Builds the model: the {plan.Backbone.Architecture} backbone with its weights ({plan.Backbone.Weights}), cut at {plan.Backbone.CutDisplay} and frozen as the spec says, and a freshly initialised head, on the chosen device.");
        w.Line("/// <param name=\"options\">Device, weights, cache folder and seed; null for the defaults and the MODELGEN_* environment.</param>");
        w.Line($"public static {plan.ClassName} Create(global::ModelGen.ModelOptions? options = null) => new(options ?? new global::ModelGen.ModelOptions(), pretrained: true);");
        w.Line();
        w.Summary("The class names in output order: the declared labels, or the class folders the model was trained on.");
        w.Line("public global::System.Collections.Generic.IReadOnlyList<string> Classes { get; private set; }");
        w.Line();
        w.Summary("The device the model runs on.");
        w.Line($"public {Torch}.Device Device => device;");
        w.Line();
        w.Summary("The backbone as cut, with its preprocessing.");
        w.Line("public global::ModelGen.Backbones.Backbone Backbone => backbone;");
        w.Line();
    }

    /// <summary>The argument that tells the backbone which parameters train: null when all are frozen.</summary>
    public static string Boundary(PhasePlan phase) =>
        "firstTrainableParameter: " + (phase.FirstTrainableParameter is null ? "null" : CodeWriter.String(phase.FirstTrainableParameter));

    /// <summary>The <c>batchNorm:</c> argument of <c>Backbone.Freeze</c> (spec key: batch_norm).</summary>
    public static string BatchNorm(ModelPlan plan) =>
        "batchNorm: global::ModelGen.Backbones.BatchNormMode." + Identifiers.Pascal(plan.Backbone.BatchNorm, "Frozen");

    private static void WriteForward(CodeWriter w, ModelPlan plan)
    {
        var output = plan.Loss.FinalActivation;
        var forward = output switch
        {
            "sigmoid" => $"{Torch}.sigmoid(ForwardLogits(images))",
            "softmax" => $"{Torch}.nn.functional.softmax(ForwardLogits(images), 1)",
            _ => "ForwardLogits(images)",
        };
        w.Summary($"The model's output for a batch of preprocessed images [N, 3, {plan.Input.Height}, {plan.Input.Width}]: {(output == "none" ? "raw class scores" : output + " of the class scores")}.");
        w.Line($"public override {Torch}.Tensor forward({Torch}.Tensor images) => {forward};");
        w.Line();
        w.Summary("Raw class scores (logits) for a batch of preprocessed images; the loss works on these.");
        w.Line($"public {Torch}.Tensor ForwardLogits({Torch}.Tensor images) => ForwardHead(backbone.forward(images));");
        w.Line();
        w.Summary($"The head alone, on backbone features [N, {string.Join(", ", plan.Backbone.FeatureShape)}]; returns logits (spec key: head).");
        w.Open($"public {Torch}.Tensor ForwardHead({Torch}.Tensor features)");
        w.Line("var x = features;");
        for (var i = 0; i < plan.Head.Count; i++)
        {
            var layer = plan.Head[i];
            var last = i == plan.Head.Count - 1;
            var comment = $" // head[{i}]: {ModelEmitter.Describe(layer)}";
            switch (layer.Kind)
            {
                case "flatten":
                    w.Line($"x = x.flatten(1);{comment} → {layer.OutFeatures}");
                    break;
                case "global_avg_pool":
                    w.Line($"x = x.mean(new long[] {{ 2, 3 }});{comment} → {layer.OutFeatures}");
                    break;
                case "global_max_pool":
                    w.Line($"x = x.amax(new long[] {{ 2, 3 }});{comment} → {layer.OutFeatures}");
                    break;
                case "dropout":
                    w.Line($"x = {layer.FieldName}.forward(x);{comment}");
                    break;
                default:
                    var call = $"{layer.FieldName}.forward(x)";
                    var activated = last ? call : layer.Activation switch
                    {
                        "relu" => $"{Torch}.nn.functional.relu({call})",
                        "sigmoid" => $"{Torch}.sigmoid({call})",
                        "tanh" => $"{Torch}.tanh({call})",
                        "gelu" => $"{Torch}.nn.functional.gelu({call})",
                        "softmax" => $"{Torch}.nn.functional.softmax({call}, 1)",
                        _ => call,
                    };
                    w.Line($"x = {activated};{comment}{(last && layer.Activation != "none" ? $" ({layer.Activation} is applied by forward and Predict; the loss takes logits)" : "")}");
                    break;
            }
        }

        w.Line("return x;");
        w.Close();
        w.Line();
        w.Summary("The head's parameters (they train in every phase).");
        w.Open($"private global::System.Collections.Generic.IEnumerable<global::TorchSharp.Modules.Parameter> HeadParameters()");
        var dense = plan.Head.Where(l => l.Kind == "dense").ToList();
        foreach (var layer in dense)
        {
            w.Open($"foreach (var parameter in {layer.FieldName}.parameters())");
            w.Line("yield return parameter;");
            w.Close();
        }

        w.Close();
        w.Line();
        w.Summary("Switches the head to training mode (dropout on); the backbone's frozen parts stay in evaluation mode.");
        w.Open("private void HeadTrainingMode()");
        foreach (var layer in plan.Head.Where(l => l.Kind is "dense" or "dropout"))
        {
            w.Line($"{layer.FieldName}.train();");
        }

        w.Close();
        w.Line();
    }

    private static void WriteLoss(CodeWriter w, ModelPlan plan)
    {
        var tensor = $"{Torch}.Tensor";
        if (plan.Loss.IsBinary)
        {
            w.Line("// loss: binary_crossentropy, computed on the logit for numerical stability.");
            w.Line($"private static {tensor} Loss({tensor} logits, {tensor} labels) =>");
            w.Line($"    {Torch}.nn.functional.binary_cross_entropy_with_logits(logits.squeeze(1), labels.to_type({Torch}.ScalarType.Float32));");
            w.Line();
            w.Line("// The predicted class: 1 where the logit is positive (probability above 0.5).");
            w.Line($"private static {tensor} PredictedClass({tensor} logits) => logits.squeeze(1).gt(0).to_type({Torch}.ScalarType.Int64);");
            w.Line();
            w.Line("// Probabilities of both classes, [N, 2].");
            w.Open($"private static {tensor} Probabilities({tensor} logits)");
            w.Line($"var positive = {Torch}.sigmoid(logits);");
            w.Line($"return {Torch}.cat(new[] {{ 1 - positive, positive }}, 1);");
            w.Close();
        }
        else
        {
            w.Line("// loss: categorical_crossentropy on logits (softmax and log in one step), labels as class indexes.");
            w.Line($"private static {tensor} Loss({tensor} logits, {tensor} labels) => {Torch}.nn.functional.cross_entropy(logits, labels);");
            w.Line();
            w.Line("// The predicted class: the highest score.");
            w.Line($"private static {tensor} PredictedClass({tensor} logits) => logits.argmax(1);");
            w.Line();
            w.Line($"// Probabilities of the {plan.Loss.OutputUnits} classes, [N, {plan.Loss.OutputUnits}].");
            w.Line($"private static {tensor} Probabilities({tensor} logits) => {Torch}.nn.functional.softmax(logits, 1);");
        }

        w.Line();
    }
}
