using System.Linq;
using System.Threading;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// What is known of a model whose spec has errors, for a stand-in class: user code that names the model (its
/// class, its labels' enum and every public member) still binds, so the spec's MG errors are the only errors
/// of the build instead of standing beside a CS0246 in the user's own code.
/// </summary>
/// <param name="SpecPath">The spec's full path.</param>
/// <param name="HintName">The generated file's name: the real model's first file's name.</param>
/// <param name="SpecFileName">The spec's path relative to the project.</param>
/// <param name="Namespace">The model's namespace.</param>
/// <param name="ClassName">The model's class.</param>
/// <param name="Labels">The labels, as enum members; empty when the spec has none or they cannot be used.</param>
/// <param name="HasLabels">Whether the spec declares labels that make an enum.</param>
internal sealed record StandIn(string SpecPath, string HintName, string SpecFileName, string Namespace, string ClassName, EquatableArray<LabelPlan> Labels, bool HasLabels)
{
    /// <summary>The stand-in's own member names besides the generated API's: a class cannot be named like them.</summary>
    public static readonly string[] OwnMembers = ["SpecHasErrors"];

    /// <summary>The names the stand-in declares, for the checks across specs.</summary>
    public DeclaredNames Names => new(Namespace, ClassName, HasLabels, SpecLocation.FileStart(SpecPath), null);

    /// <summary>
    /// The stand-in for a spec that has errors, or null when even its names cannot make valid C# (the model's
    /// name is missing or is itself one of the errors): then there is nothing to stand in for.
    /// </summary>
    public static StandIn? For(string path, string text, ProjectOptions options, CancellationToken cancellationToken)
    {
        var declared = SpecReader.ReadNames(path, text, cancellationToken);
        if (declared.Model is null)
        {
            return null;
        }

        var ignored = new DiagnosticBag();
        if (NameRules.Analyze(declared.Model, declared.Namespace, [], options, ignored) is not var (className, ns)
            || OwnMembers.Contains(className))
        {
            return null;
        }

        // Labels that would not make a valid enum are left out, and so is the enum: Predict then returns strings.
        var labels = LabelRules.Analyze(declared.Labels, ignored);
        var hasLabels = labels is { Count: > 0 };
        var relativePath = ModelAnalyzer.RelativePath(path, options.ProjectDirectory);
        return new StandIn(
            path.Replace('\\', '/'),
            (ns.Length == 0 ? "" : ns + ".") + className + ".g.cs",
            relativePath ?? System.IO.Path.GetFileName(path),
            ns,
            className,
            hasLabels ? labels!.ToEquatableArray() : EquatableArray<LabelPlan>.Empty,
            hasLabels);
    }
}
