using System.Linq;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Analysis;

/// <summary>Rules for <c>model</c> and <c>namespace</c>: the names the generated class is declared with.</summary>
internal static class NameRules
{
    /// <summary>The class name, or null after reporting what is wrong with it.</summary>
    public static string? ClassName(Located<string> model, DiagnosticBag diagnostics)
    {
        var name = model.Value;
        var suggestion = Identifiers.Pascal(name, "Model");
        switch (Identifiers.Check(name))
        {
            case NameProblem.Empty:
                diagnostics.Add(DiagnosticDescriptors.EmptyClassName, model.Location, suggestion);
                return null;
            case NameProblem.Keyword:
                diagnostics.Add(DiagnosticDescriptors.ClassNameIsKeyword, model.Location, name, suggestion);
                return null;
            case NameProblem.InvalidCharacters:
                diagnostics.Add(DiagnosticDescriptors.ClassNameHasInvalidCharacters, model.Location, name, suggestion);
                return null;
            default:
                return name;
        }
    }

    /// <summary>
    /// The namespace: the spec's <c>namespace</c>, checked part by part, or else the project's root namespace.
    /// Null after reporting what is wrong.
    /// </summary>
    public static string? Namespace(Located<string>? given, ProjectOptions options, DiagnosticBag diagnostics)
    {
        if (given is null)
        {
            return options.RootNamespace;
        }

        var parts = given.Value.Split('.');
        foreach (var part in parts)
        {
            var suggestion = Identifiers.Pascal(part, "Models");
            switch (Identifiers.Check(part))
            {
                case NameProblem.Empty:
                    var written = parts.Where(p => p.Length > 0).ToList();
                    diagnostics.Add(DiagnosticDescriptors.EmptyNamespacePart, given.Location, given.Value, written.Count > 0 ? string.Join(".", written) : "MyApp.Models");
                    return null;
                case NameProblem.Keyword:
                    diagnostics.Add(DiagnosticDescriptors.NamespacePartIsKeyword, given.Location, part, given.Value, suggestion);
                    return null;
                case NameProblem.InvalidCharacters:
                    diagnostics.Add(DiagnosticDescriptors.NamespacePartHasInvalidCharacters, given.Location, part, given.Value, suggestion);
                    return null;
            }
        }

        return given.Value;
    }
}
