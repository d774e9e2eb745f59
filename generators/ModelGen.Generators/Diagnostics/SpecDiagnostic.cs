using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Diagnostics;

/// <summary>A problem found in a spec, as plain values (equatable, no Roslyn objects) until it is reported.</summary>
internal sealed record SpecDiagnostic(string Id, SpecLocation Location, EquatableArray<string> Arguments)
{
    public static SpecDiagnostic Create(DiagnosticDescriptor descriptor, SpecLocation location, params string[] arguments) =>
        new(descriptor.Id, location, arguments.ToEquatableArray());

    /// <summary>The Roslyn diagnostic, located in the spec file.</summary>
    public Diagnostic ToDiagnostic()
    {
        var location = Microsoft.CodeAnalysis.Location.Create(
            Location.FilePath,
            new TextSpan(Location.Start, Location.Length),
            new LinePositionSpan(new LinePosition(Location.StartLine, Location.StartColumn), new LinePosition(Location.EndLine, Location.EndColumn)));
        return Diagnostic.Create(DiagnosticDescriptors.ById[Id], location, Arguments.Cast<object>().ToArray());
    }

    /// <summary>The message with its arguments filled in (tests, fuzzing).</summary>
    public string Message => string.Format(
        System.Globalization.CultureInfo.InvariantCulture,
        DiagnosticDescriptors.ById[Id].MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Arguments.Cast<object>().ToArray());
}
