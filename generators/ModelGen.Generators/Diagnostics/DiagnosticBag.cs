using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Diagnostics;

/// <summary>
/// Collects the diagnostics of one spec: each distinct problem once, in the order found. Only the first
/// <see cref="MaxReported"/> are reported, then one diagnostic says how many more there were: a spec
/// with thousands of mistakes (or a file that is not a spec) must not bury the build log.
/// </summary>
internal sealed class DiagnosticBag
{
    /// <summary>The most problems reported for one spec.</summary>
    public const int MaxReported = 100;

    private readonly List<SpecDiagnostic> _reported = [];

    // Beside the list, so that telling a new problem from a repeated one takes constant time, not a scan.
    private readonly HashSet<SpecDiagnostic> _found = [];

    private SpecLocation? _firstLeftOut;

    /// <summary>Whether any problem was found (every diagnostic of a spec is an error).</summary>
    public bool HasErrors => _found.Count > 0;

    /// <summary>How many distinct problems were found, reported or not.</summary>
    public int Count => _found.Count;

    /// <summary>Adds a diagnostic once: phases that inherit the same value would otherwise repeat it.</summary>
    public void Add(DiagnosticDescriptor descriptor, SpecLocation location, params string[] arguments) =>
        Add(SpecDiagnostic.Create(descriptor, location, arguments));

    /// <summary>Adds a diagnostic once.</summary>
    public void Add(SpecDiagnostic diagnostic)
    {
        if (!_found.Add(diagnostic))
        {
            return;
        }

        if (_reported.Count < MaxReported)
        {
            _reported.Add(diagnostic);
        }
        else
        {
            _firstLeftOut ??= diagnostic.Location;
        }
    }

    /// <summary>What to report: the first <see cref="MaxReported"/> problems, and how many more there were.</summary>
    public EquatableArray<SpecDiagnostic> ToEquatableArray()
    {
        if (_firstLeftOut is null)
        {
            return _reported.ToEquatableArray();
        }

        var leftOut = _found.Count - _reported.Count;
        var first = MaxReported.ToString(CultureInfo.InvariantCulture);
        var more = leftOut == 1
            ? SpecDiagnostic.Create(DiagnosticDescriptors.OneMoreProblem, _firstLeftOut, first)
            : SpecDiagnostic.Create(DiagnosticDescriptors.MoreProblems, _firstLeftOut, leftOut.ToString("N0", CultureInfo.InvariantCulture), first);
        return new EquatableArray<SpecDiagnostic>([.. _reported, more]);
    }
}
