using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;
using ModelGen.Generators.Spec;

namespace ModelGen.Generators.Analysis;

/// <summary>
/// Rules for <c>model</c> and <c>namespace</c>: the names the generated types are declared with must be C#
/// names that compile without warnings, must not be a member of the class itself, and must not hide a
/// type or namespace the generated code refers to (<see cref="GeneratedNames"/>). Collisions between
/// specs are checked across the project, in <see cref="ModelSpecGenerator"/>.
/// </summary>
internal static class NameRules
{
    /// <summary>The class name and namespace, or null after reporting what is wrong with them.</summary>
    public static (string ClassName, string Namespace)? Analyze(ModelSpec spec, ProjectOptions options, DiagnosticBag diagnostics) =>
        Analyze(spec.Model, spec.Namespace, spec.Training.Phases.Select(p => p.Name).ToList(), options, diagnostics);

    /// <summary>As <see cref="Analyze(ModelSpec, ProjectOptions, DiagnosticBag)"/>, from the names alone (a spec with errors elsewhere).</summary>
    public static (string ClassName, string Namespace)? Analyze(
        Located<string> model, Located<string>? given, IReadOnlyList<string> phaseNames, ProjectOptions options, DiagnosticBag diagnostics)
    {
        var className = ClassName(model, phaseNames, diagnostics);
        var ns = Namespace(given, model.Location, options, diagnostics);
        if (className is null || ns is null)
        {
            return null;
        }

        // No runtime name ends in "Label" (GeneratedNamesTests checks it), so the labels' enum hides none.
        return HidesARuntimeName(Qualify(ns, className), model.Location, diagnostics) ? null : (className, ns);
    }

    /// <summary><paramref name="name"/> in <paramref name="ns"/>, which may be the global namespace ("").</summary>
    public static string Qualify(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    private static string? ClassName(Located<string> model, IReadOnlyList<string> phaseNames, DiagnosticBag diagnostics)
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
        }

        // An all-lower-case ASCII type name gets CS8981, an error where warnings are; the contextual keywords
        // among them (record, required, file, scoped, ...) may not compile at all.
        if (name.All(c => c is >= 'a' and <= 'z'))
        {
            var descriptor = SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
                ? DiagnosticDescriptors.ClassNameIsContextualKeyword
                : DiagnosticDescriptors.ClassNameIsLowerCase;
            diagnostics.Add(descriptor, model.Location, name, suggestion);
            return null;
        }

        if (GeneratedNames.IsMember(name, phaseNames))
        {
            diagnostics.Add(DiagnosticDescriptors.ClassNameIsMemberName, model.Location, name, name + "Model");
            return null;
        }

        return name;
    }

    /// <summary>
    /// The spec's <c>namespace</c>, checked part by part, or else the project's root namespace made a valid
    /// one (<see cref="Identifiers.Namespace"/>). Null after reporting what is wrong.
    /// </summary>
    private static string? Namespace(Located<string>? given, SpecLocation modelLocation, ProjectOptions options, DiagnosticBag diagnostics)
    {
        if (given is null)
        {
            var root = Identifiers.Namespace(options.RootNamespace);
            return HidesARuntimeType(root, modelLocation, diagnostics) ? null : root;
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

        return HidesARuntimeType(given.Value, given.Location, diagnostics) ? null : given.Value;
    }

    // A namespace named like a type the generated code uses (ModelGen.ModelOptions) hides it (CS0435).
    private static bool HidesARuntimeType(string ns, SpecLocation location, DiagnosticBag diagnostics)
    {
        var parts = ns.Split('.');
        var type = Enumerable.Range(1, parts.Length)
            .Select(count => string.Join(".", parts.Take(count)))
            .FirstOrDefault(GeneratedNames.RuntimeTypes.Contains);
        if (type is null)
        {
            return false;
        }

        diagnostics.Add(DiagnosticDescriptors.NamespaceIsRuntimeType, location, ns, type, GeneratedNames.LibraryOf(type));
        return true;
    }

    // A type named like a type or namespace the generated code uses (ModelGen.Data) hides it (CS0436, CS0437).
    private static bool HidesARuntimeName(string type, SpecLocation location, DiagnosticBag diagnostics)
    {
        if (!GeneratedNames.RuntimeTypes.Contains(type) && !GeneratedNames.RuntimeNamespaces.Contains(type))
        {
            return false;
        }

        diagnostics.Add(DiagnosticDescriptors.ClassNameIsRuntimeName, location, type, GeneratedNames.LibraryOf(type));
        return true;
    }
}
