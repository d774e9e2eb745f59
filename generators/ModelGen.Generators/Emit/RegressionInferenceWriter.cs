using System.Linq;
using ModelGen.Generators.Analysis;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>
/// Extract, Evaluate, Predict, ONNX export, Save and Load of a regression model (<c>task: regression</c>): it scores
/// MAE, RMSE and R² per target instead of classes, and Predict returns the record of named targets. It has no
/// Grad-CAM (there is no class to explain), no test-time augmentation (a flip or a crop can change what a target
/// measures: a rotation angle changes sign when the image is flipped) and no ONNX export yet.
/// </summary>
internal static class RegressionInferenceWriter
{
    public static void Write(CodeWriter w, ModelPlan plan)
    {
        WriteExtract(w, plan);
        WriteEvaluate(w, plan);
        WritePredict(w, plan);
        // No ExportOnnx yet: the exporter's "probabilities" output applies a softmax or sigmoid, which a regression's
        // raw outputs must not get.
        InferenceWriter.WriteSaveAndLoad(w, plan);
    }

    private static void WriteExtract(CodeWriter w, ModelPlan plan)
    {
        var shape = string.Join(", ", plan.Backbone.FeatureShape);
        w.SummaryXml($"The backbone's features [N, {shape}] for every image of the manifest <paramref name=\"manifestPath\"/> (a CSV or TSV file: <c>path</c>, then {Columns(plan)}), with their targets, computed once and cached on disk.");
        w.Open($"public {R.FeatureSet} Extract(string manifestPath)");
        w.Line($"var images = {R.ModelRuntime}.OpenImages(manifestPath, {R.TaskKind}.Regression, Targets, options.Logger);");
        w.Line("return Extract(images);");
        w.Close();
        w.Line();
        w.Line($"private {R.FeatureSet} Extract({R.ImageFolder} images) =>");
        w.Line($"    {R.ModelRuntime}.Extract(backbone, images, options, device);");
        w.Line();
    }

    private static string Columns(ModelPlan plan) => string.Join(", ", plan.Targets.Select(t => $"<c>{CodeWriter.Xml(t.Name)}</c>"));

    private static void WriteEvaluate(CodeWriter w, ModelPlan plan)
    {
        w.SummaryXml("Loss, and the mean absolute error, root mean squared error and R² of every target and averaged over them, on the images of the manifest <paramref name=\"manifestPath\"/>; with <paramref name=\"reportPath\"/>, also a report page of the evaluation. A regression model has no accuracy: <c>Accuracy</c> is NaN.");
        w.Line("/// <param name=\"manifestPath\">A CSV or TSV manifest: <c>path</c>, then one column per target.</param>");
        w.Line("/// <param name=\"batchSize\">Images per batch.</param>");
        w.Line("/// <param name=\"reportPath\">Where to write the report (an .html file, self-contained); null for none.</param>");
        w.Open($"public {R.EvaluationResult} Evaluate(string manifestPath, int batchSize = 32, string? reportPath = null)");
        w.Line($"{R.ModelRuntime}.WarnIfUntrained(head, nameof({plan.ClassName}), nameof(Evaluate), options.Logger);");
        w.Line($"var images = {R.ModelRuntime}.OpenImages(manifestPath, {R.TaskKind}.Regression, Targets, options.Logger);");
        w.Line("return reportPath is null");
        w.Line("    ? EvaluateImages(images, batchSize)");
        w.Line($"    : {R.ModelRuntime}.EvaluateWithReport(ReportSubject(), images, batchSize, reportPath, options.Logger);");
        w.Close();
        w.Line();

        w.Line("// The report (report.html) of Train and Evaluate: what it shows of the model, and how the model scores data.");
        w.Call($"private {R.ReportSubject} ReportSubject() => new", [
            "this",
            $"nameof({plan.ClassName})",
            CodeWriter.String(plan.SpecFileName),
            "Summary()",
            "Classes",
            "device",
            "backbone.Input",
            "images => ForwardLogits(images)",
            "features => ForwardHead(features)",
            "null", // no Grad-CAM: there is no class to explain
            $"typeof({plan.ClassName}).Assembly"], "");
        w.Line("{ RegressionLoss = Loss }; // the report scores predictions of the targets with the model's loss");
        w.Line();

        WriteEvaluateBatches(w, "EvaluateImages", $"{R.ImageFolder} images", $"{R.ModelRuntime}.ReadImages(images, backbone.Input, batchSize)", "ForwardLogits(batch.Images.to(device))", "images.Skipped");
        WriteEvaluateBatches(w, "EvaluateFeatures", $"{R.FeatureSet} features", "features.Batches(batchSize)", "ForwardHead(batch.Features.to(device))", "features.Skipped");
    }

    private static void WriteEvaluateBatches(CodeWriter w, string name, string parameter, string batches, string forward, string skipped)
    {
        w.Open($"private {R.EvaluationResult} {name}({parameter}, int batchSize)");
        w.Line("eval();");
        w.Line($"var evaluation = new {R.RegressionAccumulator}(Targets);");
        w.Open($"using ({R.Torch}.inference_mode())");
        w.Open($"foreach (var batch in {batches})");
        w.Line($"using var scope = {R.Torch}.NewDisposeScope();");
        w.Line("var targets = batch.Labels.to(device); // [N, targets], float");
        w.Line($"var predictions = {forward};");
        w.Line("evaluation.Add(Loss(predictions, targets), predictions, targets);");
        w.Close();
        w.Close();
        w.Line();
        w.Line($"return evaluation.ToResult({skipped});");
        w.Close();
        w.Line();
    }

    private static void WritePredict(CodeWriter w, ModelPlan plan)
    {
        var record = plan.PredictionRecordName;
        w.Summary($"Predicts the targets of one image file ({string.Join(", ", plan.Targets.Select(t => t.Name))}). ModelOptions.TestTimeAugmentation does not apply to a regression model: a flip or a crop can change what a target measures.");
        w.Line($"/// <exception cref=\"{R.ImageLoadException}\">The file is missing, not an image, or too large.</exception>");
        w.Open($"public {record} Predict(string imagePath)");
        w.Line($"using var image = {R.ModelRuntime}.DecodeImage(imagePath, backbone.Input);");
        w.Line("return Predict(image);");
        w.Close();
        w.Line();
        w.Summary("Predicts the targets of one image read from a stream.");
        w.Line($"/// <exception cref=\"{R.ImageLoadException}\">The stream does not hold a readable image.</exception>");
        w.Open($"public {record} Predict(global::System.IO.Stream image)");
        w.Line($"using var decoded = {R.ModelRuntime}.DecodeImage(image, backbone.Input, \"the stream\");");
        w.Line("return Predict(decoded);");
        w.Close();
        w.Line();
        w.Open($"private {record} Predict({R.Tensor} image)");
        w.Line($"{R.ModelRuntime}.WarnIfUntrained(head, nameof({plan.ClassName}), nameof(Predict), options.Logger);");
        w.Line("eval();");
        w.Line($"using var scope = {R.Torch}.NewDisposeScope();");
        w.Line($"using var inference = {R.Torch}.inference_mode();");
        w.Line("var values = ForwardLogits(image.unsqueeze(0).to(device)).cpu().data<float>().ToArray();");
        w.Line($"return new {record}({string.Join(", ", plan.Targets.Select((t, i) => $"{t.Member}: values[{i}]"))});");
        w.Close();
        w.Line();
    }
}
