using ModelGen.Generators.Analysis;
using ModelGen.Shared;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>Extract, Evaluate, Predict, Explain, ONNX export, Save and Load.</summary>
internal static class InferenceWriter
{
    public static void Write(CodeWriter w, ModelPlan plan)
    {
        if (plan.IsRegression)
        {
            RegressionInferenceWriter.Write(w, plan);
            return;
        }

        WriteExtract(w, plan);
        w.SummaryXml("Accuracy, loss, the confusion matrix and per-class precision, recall, F1 and ROC AUC on the images under <paramref name=\"imageDirectory\"/> (one folder per class); with <paramref name=\"reportPath\"/>, also a report page of the evaluation (confusion matrix, per-class figures, the images with the highest loss).");
        w.Line("/// <param name=\"imageDirectory\">The images, one folder per class (the model's classes).</param>");
        w.Line("/// <param name=\"batchSize\">Images per batch.</param>");
        w.Line("/// <param name=\"reportPath\">Where to write the report (an .html file, self-contained); null for none.</param>");
        w.Open($"public {R.EvaluationResult} Evaluate(string imageDirectory, int batchSize = 32, string? reportPath = null)");
        w.Line($"{R.ModelRuntime}.WarnIfUntrained(head, nameof({plan.ClassName}), nameof(Evaluate), options.Logger);");
        w.Line($"var images = {DataCalls.OpenImages(plan, "imageDirectory", "Classes")};");
        w.Open("if (TestTimeAugmentation is { } augmentation)");
        w.Line("// ModelOptions.TestTimeAugmentation: each image's probabilities averaged over its flipped and cropped views.");
        w.Line($"return {R.ModelRuntime}.EvaluateAugmented(ReportSubject(), images, batchSize, augmentation, reportPath, options.Logger);");
        w.Close();
        w.Line();
        w.Line("return reportPath is null");
        w.Line("    ? EvaluateImages(images, batchSize)");
        w.Line($"    : {R.ModelRuntime}.EvaluateWithReport(ReportSubject(), images, batchSize, reportPath, options.Logger);");
        w.Close();
        w.Line();
        WriteReportSubject(w, plan);
        WriteEvaluate(w, "EvaluateImages", $"{R.ImageFolder} images", $"{R.ModelRuntime}.ReadImages(images, backbone.Input, batchSize)", "ForwardLogits(batch.Images.to(device))", "images.Skipped");
        WriteEvaluate(w, "EvaluateFeatures", $"{R.FeatureSet} features", "features.Batches(batchSize)", "ForwardHead(batch.Features.to(device))", "features.Skipped");

        var result = plan.HasLabels ? plan.LabelEnumName : "string";
        w.Summary("Classifies one image file: the predicted class and the probability of every class.");
        w.Line($"/// <exception cref=\"{R.ImageLoadException}\">The file is missing, not an image, or too large.</exception>");
        w.Open($"public {R.Prediction}<{result}> Predict(string imagePath)");
        w.Line("var augmentation = TestTimeAugmentation;");
        w.Line($"using var image = {R.ModelRuntime}.DecodeImage(imagePath, ReadInput(augmentation));");
        w.Line("return Predict(image, augmentation);");
        w.Close();
        w.Line();
        w.Summary("Classifies one image read from a stream.");
        w.Line($"/// <exception cref=\"{R.ImageLoadException}\">The stream does not hold a readable image.</exception>");
        w.Open($"public {R.Prediction}<{result}> Predict(global::System.IO.Stream image)");
        w.Line("var augmentation = TestTimeAugmentation;");
        w.Line($"using var decoded = {R.ModelRuntime}.DecodeImage(image, ReadInput(augmentation), \"the stream\");");
        w.Line("return Predict(decoded, augmentation);");
        w.Close();
        w.Line();
        w.Line("// ModelOptions.TestTimeAugmentation, when it asks for more than one view; null scores the image once.");
        w.Line($"private {R.TestTimeAugmentation}? TestTimeAugmentation => options.TestTimeAugmentation is {{ IsOff: false }} augmentation ? augmentation : null;");
        w.Line();
        w.Line("// Images are read at the input size, or larger for test-time crops.");
        w.Line($"private {R.ImageInput} ReadInput({R.TestTimeAugmentation}? augmentation) =>");
        w.Line($"    augmentation is null ? backbone.Input : {R.ModelRuntime}.TestTimeInput(backbone.Input, augmentation);");
        w.Line();
        w.Open($"private {R.Prediction}<{result}> Predict({R.Tensor} image, {R.TestTimeAugmentation}? augmentation)");
        w.Line($"{R.ModelRuntime}.WarnIfUntrained(head, nameof({plan.ClassName}), nameof(Predict), options.Logger);");
        w.Line("eval();");
        w.Line($"using var scope = {R.Torch}.NewDisposeScope();");
        w.Line($"using var inference = {R.Torch}.inference_mode();");
        w.Line("var images = image.unsqueeze(0).to(device);");
        w.Line("var scores = augmentation is null");
        w.Line("    ? Probabilities(ForwardLogits(images))");
        w.Line($"    : {R.ModelRuntime}.TestTimeProbabilities(views => Probabilities(ForwardLogits(views)), images, backbone.Input, augmentation);");
        w.Line("var probabilities = scores.cpu().data<float>().ToArray();");
        w.Line($"var index = {R.Prediction}.ArgMax(probabilities);");
        var label = plan.HasLabels ? $"({plan.LabelEnumName})index" : "Classes[index]";
        w.Line($"return new {R.Prediction}<{result}>({label}, index, Classes[index], probabilities);");
        w.Close();
        w.Line();

        WriteExplain(w, plan, result);
        WriteExport(w, plan);
        WriteSaveAndLoad(w, plan);
    }

    /// <summary>Save and Load, the same for every task: the weights and the output names (classes, or a regression's targets).</summary>
    public static void WriteSaveAndLoad(CodeWriter w, ModelPlan plan)
    {
        w.Summary($"Saves the weights and {(plan.IsRegression ? "target" : "class")} names to one file (written to a temporary file, then renamed into place).");
        w.Line($"public void Save(string path) => {R.ModelRuntime}.SaveModel(this, path, nameof({plan.ClassName}), Fingerprint, Classes);");
        w.Line();
        w.SummaryXml("Loads a model saved by <see cref=\"Save\"/>: the spec's architecture, with the saved weights (no pretrained weights are read).");
        w.Line(plan.IsRegression
            ? $"/// <exception cref=\"{R.ModelFileException}\">The file is missing, damaged, or was saved by a different model or with other targets.</exception>"
            : plan.HasLabels
            ? $"/// <exception cref=\"{R.ModelFileException}\">The file is missing, damaged, or was saved by a different model or with other classes than the labels.</exception>"
            : $"/// <exception cref=\"{R.ModelFileException}\">The file is missing, damaged, or was saved by a different model.</exception>");
        w.Open($"public static {plan.ClassName} Load(string path, {R.ModelOptions}? options = null)");
        w.Line($"var model = new {plan.ClassName}(options ?? new {R.ModelOptions}(), pretrained: false);");
        w.Open("try");
        w.Line(plan.IsRegression
            ? $"model.Classes = {R.ModelRuntime}.LoadModel(model, path, nameof({plan.ClassName}), Fingerprint, DeclaredClasses); // the saved targets must be the spec's, in order"
            : plan.HasLabels
            ? $"model.Classes = {R.ModelRuntime}.LoadModel(model, path, nameof({plan.ClassName}), Fingerprint, DeclaredClasses); // the saved classes must be the labels, in order"
            : $"model.Classes = {R.ModelRuntime}.LoadModel(model, path, nameof({plan.ClassName}), Fingerprint, DeclaredClasses); // no labels declared: the saved classes");
        w.Line("return model;");
        w.Close();
        w.Open("catch");
        w.Line("model.Dispose();");
        w.Line("throw;");
        w.Close();
        w.Close();
        w.Line();
    }

    private static void WriteExplain(CodeWriter w, ModelPlan plan, string result)
    {
        var explanation = $"{R.Explanation}<{result}>";
        var chosen = plan.HasLabels ? "the label" : "the class name";
        w.SummaryXml($"Where the model looks: a Grad-CAM heatmap at the backbone's output (the last convolutional stage inside the cut) for {chosen} <paramref name=\"label\"/>, or the predicted class when null, at the input size; <c>SavePng</c> writes it over the image.");
        w.Line($"/// <exception cref=\"{R.ImageLoadException}\">The file is missing, not an image, or too large.</exception>");
        w.Open($"public {explanation} Explain(string imagePath, {result}? label = null)");
        w.Line($"var pixels = {R.ModelRuntime}.DecodePixels(imagePath, backbone.Input);");
        w.Line("return Explain(pixels, label);");
        w.Close();
        w.Line();
        w.Summary("The Grad-CAM explanation of one image read from a stream, as for an image file.");
        w.Line($"/// <exception cref=\"{R.ImageLoadException}\">The stream does not hold a readable image.</exception>");
        w.Open($"public {explanation} Explain(global::System.IO.Stream image, {result}? label = null)");
        w.Line($"var pixels = {R.ModelRuntime}.DecodePixels(image, backbone.Input, \"the stream\");");
        w.Line("return Explain(pixels, label);");
        w.Close();
        w.Line();
        w.Open($"private {explanation} Explain(float[] pixels, {result}? label)");
        w.Line($"{R.ModelRuntime}.WarnIfUntrained(head, nameof({plan.ClassName}), nameof(Explain), options.Logger);");
        w.Line("eval();");
        w.Line(plan.HasLabels
            ? "int? classIndex = label is { } chosen ? (int)chosen : null;"
            : $"int? classIndex = label is null ? null : {R.ModelRuntime}.ClassIndex(label, Classes);");
        var labelOf = plan.HasLabels ? $"index => ({plan.LabelEnumName})index" : "index => Classes[index]";
        w.Line($"return {R.ModelRuntime}.Explain(backbone, head, pixels, classIndex, Classes, {labelOf}, device);");
        w.Close();
        w.Line();
    }

    public static void WriteExport(CodeWriter w, ModelPlan plan)
    {
        var layout = $"{plan.SpecFileName}: {SpecWords.NameOf(plan.Backbone.Architecture)} cut at {plan.Backbone.CutDisplay}, head {ModelEmitter.DescribeHead(plan)}";
        var description = plan.Description is { Length: > 0 } text ? $"{text} ({layout})" : layout;
        w.SummaryXml("Writes the model to ONNX (opset 17) with its current weights, for ONNX Runtime and ML.NET: input <c>image</c> (RGB in [0, 1], [N, 3, H, W]; with <paramref name=\"includePreprocessing\"/> false, <c>input</c>: preprocessed), outputs <c>logits</c> and <c>probabilities</c>; the classes are in the metadata.");
        w.Line("/// <param name=\"path\">The .onnx file to write (atomically).</param>");
        w.Line("/// <param name=\"includePreprocessing\">Put the backbone's normalisation into the graph (default), so it takes plain RGB images.</param>");
        w.Line("public void ExportOnnx(string path, bool includePreprocessing = true) =>");
        w.Indent();
        w.Call($"{R.ModelRuntime}.ExportOnnx", ["backbone", "head", $"new {R.OnnxExportInfo}(nameof({plan.ClassName}), Classes, Description: ExportDescription)", "path", "includePreprocessing"], ";");
        w.Outdent();
        w.Line();
        w.Line("// The model's description in the ONNX file (spec keys: description, backbone, head).");
        w.Line($"private const string ExportDescription = {CodeWriter.String(description)};");
        w.Line();
    }

    public static void WriteExtract(CodeWriter w, ModelPlan plan)
    {
        var shape = string.Join(", ", plan.Backbone.FeatureShape);
        w.SummaryXml($"The backbone's features [N, {shape}] for every image under <paramref name=\"imageDirectory\"/> (one folder per class), computed once and cached on disk.");
        w.Open($"public {R.FeatureSet} Extract(string imageDirectory)");
        w.Line($"var images = {DataCalls.OpenImages(plan, "imageDirectory", "DeclaredClasses")};");
        w.Line("// The folders must fit the head before the backbone runs over every image, not at Train afterwards.");
        w.Line($"{R.ModelRuntime}.CheckClasses(images.Classes, DeclaredClasses, ClassCount, nameof({plan.ClassName}));");
        w.Line("return Extract(images);");
        w.Close();
        w.Line();
        w.Line($"private {R.FeatureSet} Extract({R.ImageFolder} images) =>");
        w.Line($"    {R.ModelRuntime}.Extract(backbone, images, options, device);");
        w.Line();
    }

    private static void WriteReportSubject(CodeWriter w, ModelPlan plan)
    {
        w.Line("// The report (report.html) of Train and Evaluate: what it shows of the model, and how the model scores data.");
        w.Call($"private {R.ReportSubject} ReportSubject() => new", [
            "this",
            $"nameof({plan.ClassName})",
            CodeWriter.String(plan.SpecFileName),
            "Summary()",
            "Classes",
            "device",
            "backbone.Input",
            "images => Probabilities(ForwardLogits(images))",
            "features => Probabilities(ForwardHead(features))",
            "imagePath => Explain(imagePath)",
            $"typeof({plan.ClassName}).Assembly"], ";");
        w.Line();
    }

    private static void WriteEvaluate(CodeWriter w, string name, string parameter, string batches, string forward, string skipped)
    {
        w.Open($"private {R.EvaluationResult} {name}({parameter}, int batchSize)");
        w.Line("eval();");
        w.Line($"var evaluation = new {R.EvaluationAccumulator}(Classes);");
        w.Open($"using ({R.Torch}.inference_mode())");
        w.Open($"foreach (var batch in {batches})");
        w.Line($"using var scope = {R.Torch}.NewDisposeScope();");
        w.Line("var labels = batch.Labels.to(device);");
        w.Line($"var logits = {forward};");
        w.Line("evaluation.Add(Loss(logits, labels), PredictedClass(logits), Probabilities(logits), labels);");
        w.Close();
        w.Close();
        w.Line();
        w.Line($"return evaluation.ToResult({skipped});");
        w.Close();
        w.Line();
    }
}
