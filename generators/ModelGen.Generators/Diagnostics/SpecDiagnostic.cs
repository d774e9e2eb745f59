using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Diagnostics;

/// <summary>
/// A problem found in a spec, as plain values (equatable, no Roslyn objects) until it is reported: the key of
/// its descriptor in <see cref="DiagnosticDescriptors"/>, where it is, and the values its message takes.
/// </summary>
internal sealed record SpecDiagnostic(string Key, SpecLocation Location, EquatableArray<string> Arguments)
{
    public static SpecDiagnostic Create(DiagnosticDescriptor descriptor, SpecLocation location, params string[] arguments) =>
        new(DiagnosticDescriptors.KeyOf(descriptor), location, arguments.ToEquatableArray());

    /// <summary>The diagnostic's ID, MG0001...</summary>
    public string Id => Descriptor.Id;

    // Private: the pipeline's values hold no Roslyn objects, not even behind a property.
    private DiagnosticDescriptor Descriptor => DiagnosticDescriptors.ByKey[Key];

    /// <summary>The Roslyn diagnostic, located in the spec file.</summary>
    public Diagnostic ToDiagnostic()
    {
        var location = Microsoft.CodeAnalysis.Location.Create(
            Location.FilePath,
            new TextSpan(Location.Start, Location.Length),
            new LinePositionSpan(new LinePosition(Location.StartLine, Location.StartColumn), new LinePosition(Location.EndLine, Location.EndColumn)));
        return Diagnostic.Create(Descriptor, location, Arguments.Cast<object>().ToArray());
    }

    /// <summary>The message as the build shows it (tests, fuzzing).</summary>
    public string Message => ToDiagnostic().GetMessage(CultureInfo.InvariantCulture);
}
