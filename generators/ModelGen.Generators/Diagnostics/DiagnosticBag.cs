using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Diagnostics;

/// <summary>Collects the diagnostics of one spec.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<SpecDiagnostic> _items = [];

    public bool HasErrors => _items.Count > 0;

    public IReadOnlyList<SpecDiagnostic> Items => _items;

    /// <summary>Adds a diagnostic once: phases that inherit the same value would otherwise repeat it.</summary>
    public void Add(DiagnosticDescriptor descriptor, SpecLocation location, params string[] arguments) =>
        Add(SpecDiagnostic.Create(descriptor, location, arguments));

    /// <summary>Adds a diagnostic once.</summary>
    public void Add(SpecDiagnostic diagnostic)
    {
        if (!_items.Contains(diagnostic))
        {
            _items.Add(diagnostic);
        }
    }

    public EquatableArray<SpecDiagnostic> ToEquatableArray() => _items.ToEquatableArray();
}
