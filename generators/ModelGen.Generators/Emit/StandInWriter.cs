using System.Collections.Generic;
using ModelGen.Generators.Analysis;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>
/// Writes the stand-in of a model whose spec has errors: the same public API as the generated class (its
/// labels' enum too, when the labels are usable), every member throwing. The build still fails on the spec's
/// MG errors, but they are its only errors: user code that calls the model binds to the stand-in instead of
/// adding a CS0246 that names something the user did not get wrong. SnapshotTests and StandInTests keep the
/// two APIs the same.
/// </summary>
internal static class StandInWriter
{
    public static GeneratedFile Write(StandIn standIn) =>
        new(standIn.HintName, ModelEmitter.File(standIn.SpecFileName, standIn.Namespace, w => Body(w, standIn)));

    private static void Body(CodeWriter w, StandIn standIn)
    {
        var name = standIn.ClassName;
        if (standIn.HasLabels)
        {
            ModelEmitter.WriteLabelEnum(w, name, standIn.Labels);
        }

        var result = standIn.HasLabels ? GeneratedNames.LabelEnum(name) : "string";
        var fail = "throw " + StandIn.OwnMembers[0] + "()";
        w.Summary($"A stand-in for the model of {standIn.SpecFileName}, which has errors: see the build's MG diagnostics for it.");
        w.Line("/// <remarks>");
        w.Line("/// It has the generated model's API so that code using the model still compiles and the spec's errors are the only");
        w.Line("/// ones reported; every member throws. Fix the spec and the real model replaces it.");
        w.Line("/// </remarks>");
        w.Line($"[{R.GeneratedCode}(\"ModelGen\", \"{ModelEmitter.Version}\")]");
        w.Open($"public sealed partial class {name} : {R.Torch}.nn.Module<{R.Tensor}, {R.Tensor}>");
        w.Line($"private {name}()");
        w.Line($"    : base(nameof({name})) => {fail};");
        w.Line();

        var members = new List<string>
        {
            $"public static {name} Create({R.ModelOptions}? options = null) => {fail};",
            $"public static {name} Load(string path, {R.ModelOptions}? options = null) => {fail};",
            $"public {R.ReadOnlyList}<string> Classes => {fail};",
            $"public {R.Device} Device => {fail};",
            $"public {R.Backbone} Backbone => {fail};",
            $"public {R.Head} Head => {fail};",
            $"public override {R.Tensor} forward({R.Tensor} images) => {fail};",
            $"public {R.Tensor} ForwardLogits({R.Tensor} images) => {fail};",
            $"public {R.Tensor} ForwardHead({R.Tensor} features) => {fail};",
            $"public {R.FeatureSet} Extract(string imageDirectory) => {fail};",
            $"public {R.EvaluationResult} Evaluate(string imageDirectory, int batchSize = 32, string? reportPath = null) => {fail};",
            $"public {R.Prediction}<{result}> Predict(string imagePath) => {fail};",
            $"public {R.Prediction}<{result}> Predict(global::System.IO.Stream image) => {fail};",
            $"public {R.Explanation}<{result}> Explain(string imagePath, {result}? label = null) => {fail};",
            $"public {R.Explanation}<{result}> Explain(global::System.IO.Stream image, {result}? label = null) => {fail};",
            $"public void ExportOnnx(string path, bool includePreprocessing = true) => {fail};",
            $"public void Save(string path) => {fail};",
            $"public {R.TrainingHistory} Train({R.FeatureSet} train, {R.FeatureSet}? validation = null, {R.TrainOptions}? trainOptions = null) => {fail};",
            $"public {R.TrainingHistory} Train(string trainDirectory, string? validationDirectory = null, {R.TrainOptions}? trainOptions = null) => {fail};",
            $"public {R.LearningRateFinding} FindLearningRate({R.FeatureSet} train, {R.LearningRateFinderOptions}? finderOptions = null) => {fail};",
            $"public {R.LearningRateFinding} FindLearningRate(string trainDirectory, {R.LearningRateFinderOptions}? finderOptions = null) => {fail};",
            $"public static long[] InputShape => {fail};",
            $"public static long[] FeatureShape => {fail};",
            $"public static {R.ReadOnlyList}<string> DeclaredClasses => {fail};",
            $"public static string Summary() => {fail};",
        };
        foreach (var member in members)
        {
            w.Summary("Throws: the spec has errors.");
            w.Line(member);
            w.Line();
        }

        w.Summary(standIn.HasLabels ? "The number of labels." : "Unknown while the spec has errors: 0.");
        w.Line($"public const int ClassCount = {standIn.Labels.Count};");
        w.Line();
        w.Summary("Empty while the spec has errors.");
        w.Line("public static class Layers");
        w.Line("{");
        w.Line("}");
        w.Line();
        w.Line($"private static global::System.InvalidOperationException {StandIn.OwnMembers[0]}() =>");
        w.Line($"    new({CodeWriter.String($"{standIn.SpecFileName} has errors, so {name} is only a stand-in that lets the rest of the code compile. Fix the MG errors the build reports for the spec, then build again.")});");
        w.Close();
    }
}
