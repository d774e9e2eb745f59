using System.Linq;
using ModelGen.Generators.Analysis;

namespace ModelGen.Generators.Emit;

/// <summary>The build-time facts of a model: shapes, classes, layer names and the summary table.</summary>
internal static class ShapeWriter
{
    public static void Write(CodeWriter w, ModelPlan plan)
    {
        var input = plan.Input;
        w.Summary($"The input for one image: channels, height, width (spec key: input{(input.SourceChannels == 1 ? "; gray images are repeated to 3 channels" : "")}).");
        w.Line($"public static long[] InputShape => new long[] {{ 3, {input.Height}, {input.Width} }};");
        w.Line();
        w.Summary($"The backbone's output for one image, cut at {plan.Backbone.CutDisplay} ({(plan.Backbone.Architecture == "onnx" ? "declared in backbone.feature_shape and checked at creation" : "computed at build time")}).");
        w.Line($"public static long[] FeatureShape => new long[] {{ {string.Join(", ", plan.Backbone.FeatureShape)} }};");
        w.Line();
        w.Summary("The class names declared in the spec (spec key: labels), in output order; empty when the data folders name them.");
        var declared = plan.HasLabels ? "new string[] { " + string.Join(", ", plan.Labels.Select(l => CodeWriter.String(l.Name))) + " }" : "global::System.Array.Empty<string>()";
        w.Line($"public static global::System.Collections.Generic.IReadOnlyList<string> DeclaredClasses {{ get; }} = {declared};");
        w.Line();
        w.Summary($"The number of classes the head's last dense layer scores ({(plan.Loss.IsBinary ? "1 unit: binary" : plan.Loss.OutputUnits + " units: one per class")}).");
        w.Line($"public const int ClassCount = {(plan.Loss.IsBinary ? 2 : plan.Loss.OutputUnits)};");
        w.Line();
        w.Summary($"The {plan.Backbone.Architecture} layer names inside the cut, for use in code (torchvision module paths{(plan.LayerConstants.Any(c => !c.Value.Contains('.')) ? " and Keras names" : "")}).");
        w.Open("public static class Layers");
        for (var i = 0; i < plan.LayerConstants.Count; i++)
        {
            var constant = plan.LayerConstants[i];
            w.Summary($"The layer \"{constant.Value}\".");
            w.Line($"public const string {constant.Member} = {CodeWriter.String(constant.Value)};");
            if (i < plan.LayerConstants.Count - 1)
            {
                w.Line();
            }
        }

        w.Close();
        w.Line();
        w.Summary("A Keras-style table of the layers with output shapes, parameter counts and what trains in each phase (computed at build time).");
        var quotes = CodeWriter.RawQuotes(plan.Summary);
        w.Line($"public static string Summary() => {quotes}");
        w.Indent();
        w.Lines(plan.Summary.TrimEnd('\n'));
        w.Line(quotes + ";");
        w.Outdent();
        w.Line();
    }
}
