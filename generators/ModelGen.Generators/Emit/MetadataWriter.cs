using System.Linq;
using ModelGen.Generators.Analysis;
using ModelGen.Generators.Vocabulary;
using ModelGen.Shared;
using R = ModelGen.Generators.Emit.RuntimeNames;

namespace ModelGen.Generators.Emit;

/// <summary>The build-time facts of a model: shapes, classes, layer names and the summary table.</summary>
internal static class MetadataWriter
{
    public static void Write(CodeWriter w, ModelPlan plan)
    {
        var input = plan.Input;
        var architecture = SpecWords.NameOf(plan.Backbone.Architecture);
        w.Summary($"The input for one image: channels, height, width (spec key: input{(input.SourceChannels == 1 ? "; gray images are repeated to 3 channels" : "")}).");
        w.Line($"public static long[] InputShape => new long[] {{ 3, {input.Height}, {input.Width} }};");
        w.Line();
        w.Summary($"The backbone's output for one image, cut at {plan.Backbone.CutDisplay} ({(plan.Backbone.Architecture == Architecture.Onnx ? "declared in backbone.feature_shape and checked at creation" : "computed at build time")}).");
        w.Line($"public static long[] FeatureShape => new long[] {{ {string.Join(", ", plan.Backbone.FeatureShape)} }};");
        w.Line();
        var names = plan.Task == TaskKind.Regression ? plan.Targets.Select(t => t.Name).ToList() : plan.Labels.Select(l => l.Name).ToList();
        w.Summary(plan.Task == TaskKind.Regression
            ? "The targets declared in the spec (spec key: targets), in output order: a regression's named outputs, which its manifests' columns must match."
            : "The class names declared in the spec (spec key: labels), in output order; empty when the data folders name them.");
        var declared = names.Count > 0
            ? "new string[] { " + string.Join(", ", names.Select(CodeWriter.String)) + " }"
            : "global::System.Array.Empty<string>()";
        w.Line($"public static {R.ReadOnlyList}<string> DeclaredClasses {{ get; }} = {declared};");
        w.Line();
        w.Summary($"The number of classes the head's last dense layer scores ({(plan.Loss.IsBinary ? "1 unit: binary" : plan.Loss.OutputUnits + " units: one per class")}).");
        w.Line($"public const int ClassCount = {(plan.Loss.IsBinary ? 2 : plan.Loss.OutputUnits)};");
        w.Line();
        if (plan.LayerConstants.Count > 0)
        {
            w.Summary($"Names of the {(plan.Backbone.Architecture == Architecture.Onnx ? "graph's" : architecture)} layers inside the cut, for truncate_at and freeze in code: the rows of Summary() and the top-level stages.");
            w.Open("public static class Layers");
            for (var i = 0; i < plan.LayerConstants.Count; i++)
            {
                var constant = plan.LayerConstants[i];
                w.Line($"/// <summary>{CodeWriter.Xml(constant.Value)}</summary>");
                w.Line($"public const string {constant.Member} = {CodeWriter.String(constant.Value)};");
            }

            w.Close();
            w.Line();
        }

        w.Summary("A Keras-style table of the layers with output shapes, parameter counts and what trains in each phase (computed at build time).");
        var lines = plan.Summary.TrimEnd('\n').Split('\n').Select(CodeWriter.Comment).ToList();
        var quotes = CodeWriter.RawQuotes(plan.Summary);
        w.Line($"public static string Summary() => {quotes}");
        w.Indent();
        foreach (var line in lines)
        {
            w.Line(line);
        }

        w.Line(quotes + ";");
        w.Outdent();
    }
}
