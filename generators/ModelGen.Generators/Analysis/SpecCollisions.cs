using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Analysis;

/// <summary>The names one spec declares at namespace level, for the checks across the project's specs.</summary>
/// <param name="Namespace">The namespace of the generated types ("" for the global namespace).</param>
/// <param name="ClassName">The model class.</param>
/// <param name="HasLabels">Whether the spec declares labels, and so an enum of them.</param>
/// <param name="ModelLocation">Where 'model' is written.</param>
/// <param name="NamespaceLocation">Where 'namespace' is written; null when the project's root namespace is used.</param>
internal sealed record DeclaredNames(string Namespace, string ClassName, bool HasLabels, SpecLocation ModelLocation, SpecLocation? NamespaceLocation)
{
    public string SpecPath => ModelLocation.FilePath;

    public string QualifiedClass => NameRules.Qualify(Namespace, ClassName);

    public string? QualifiedLabelEnum => HasLabels ? NameRules.Qualify(Namespace, GeneratedNames.LabelEnum(ClassName)) : null;

    /// <summary>The namespace and every namespace that contains it: "A.B" declares "A" and "A.B".</summary>
    public IEnumerable<string> Namespaces
    {
        get
        {
            var parts = Namespace.Length == 0 ? [] : Namespace.Split('.');
            return Enumerable.Range(1, parts.Length).Select(count => string.Join(".", parts.Take(count)));
        }
    }
}

/// <summary>What the specs of one project declare that clashes, and which specs must not be emitted.</summary>
internal sealed record SpecCollisions(EquatableArray<SpecDiagnostic> Reports, EquatableArray<string> Losers)
{
    /// <summary>
    /// Two specs generate the same class, or one's class is another's label enum, or one's type is another's
    /// namespace: the C# would not compile (CS0101). The first spec by path keeps its names; each later one
    /// that clashes gets MG0019 and is not emitted, so that the rest of the project still compiles.
    /// </summary>
    public static SpecCollisions Find(IEnumerable<DeclaredNames> specs) => FindInOrder(specs.OrderBy(s => s.SpecPath, StringComparer.Ordinal));

    /// <summary>
    /// The stand-ins (of specs with errors) that can be emitted: those whose names clash with no spec that
    /// compiled and no stand-in before them by path. A stand-in never takes a name from a real model.
    /// </summary>
    public static EquatableArray<StandIn> EmittableStandIns(IEnumerable<CompiledSpec> specs)
    {
        var all = specs.ToList();
        var real = all.Where(s => s.Plan is not null && s.Names is not null).Select(s => s.Names!).OrderBy(n => n.SpecPath, StringComparer.Ordinal);
        var standIns = all.Where(s => s.Plan is null && s.StandIn is not null).Select(s => s.StandIn!).ToList();
        var claims = standIns.Select(s => s.Names).OrderBy(n => n.SpecPath, StringComparer.Ordinal);
        var losers = new HashSet<string>(FindInOrder(real.Concat(claims)).Losers, StringComparer.Ordinal);
        return standIns.Where(s => !losers.Contains(s.SpecPath.Replace('\\', '/'))).OrderBy(s => s.SpecPath, StringComparer.Ordinal).ToEquatableArray();
    }

    private static SpecCollisions FindInOrder(IEnumerable<DeclaredNames> specs)
    {
        var reports = new List<SpecDiagnostic>();
        var losers = new List<string>();

        // Classes are compared ignoring case: their hint names (file names) must differ that way too.
        var classes = new Dictionary<string, DeclaredNames>(StringComparer.OrdinalIgnoreCase);
        var enums = new Dictionary<string, DeclaredNames>(StringComparer.Ordinal);
        var namespaces = new Dictionary<string, DeclaredNames>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (Clash(spec, classes, enums, namespaces) is { } clash)
            {
                reports.Add(clash);
                losers.Add(spec.SpecPath.Replace('\\', '/'));
                continue;
            }

            classes[spec.QualifiedClass] = spec;
            if (spec.QualifiedLabelEnum is { } labelEnum)
            {
                enums[labelEnum] = spec;
            }

            foreach (var ns in spec.Namespaces)
            {
                namespaces[ns] = spec;
            }
        }

        return new SpecCollisions(reports.ToEquatableArray(), losers.ToEquatableArray());
    }

    private static SpecDiagnostic? Clash(
        DeclaredNames spec,
        Dictionary<string, DeclaredNames> classes,
        Dictionary<string, DeclaredNames> enums,
        Dictionary<string, DeclaredNames> namespaces)
    {
        var type = spec.QualifiedClass;
        if (classes.TryGetValue(type, out var other))
        {
            return SpecDiagnostic.Create(DiagnosticDescriptors.DuplicateModel, spec.ModelLocation, other.SpecPath, type);
        }

        if (enums.TryGetValue(type, out other))
        {
            return SpecDiagnostic.Create(DiagnosticDescriptors.ClassIsLabelEnumOfAnotherSpec, spec.ModelLocation, other.SpecPath, type);
        }

        if (namespaces.TryGetValue(type, out other))
        {
            return SpecDiagnostic.Create(DiagnosticDescriptors.TypeIsNamespaceOfAnotherSpec, spec.ModelLocation, other.SpecPath, type);
        }

        if (spec.QualifiedLabelEnum is { } labelEnum)
        {
            if (classes.TryGetValue(labelEnum, out other) && other.QualifiedClass == labelEnum)
            {
                return SpecDiagnostic.Create(DiagnosticDescriptors.LabelEnumIsClassOfAnotherSpec, spec.ModelLocation, other.SpecPath, labelEnum);
            }

            if (namespaces.TryGetValue(labelEnum, out other))
            {
                return SpecDiagnostic.Create(DiagnosticDescriptors.TypeIsNamespaceOfAnotherSpec, spec.ModelLocation, other.SpecPath, labelEnum);
            }
        }

        foreach (var ns in spec.Namespaces)
        {
            if (TypeNamed(ns, classes, enums) is { } owner)
            {
                return SpecDiagnostic.Create(DiagnosticDescriptors.NamespaceIsTypeOfAnotherSpec, spec.NamespaceLocation ?? spec.ModelLocation, owner.SpecPath, ns);
            }
        }

        return null;
    }

    private static DeclaredNames? TypeNamed(string name, Dictionary<string, DeclaredNames> classes, Dictionary<string, DeclaredNames> enums) =>
        classes.TryGetValue(name, out var owner) && owner.QualifiedClass == name ? owner
        : enums.TryGetValue(name, out owner) ? owner
        : null;
}
