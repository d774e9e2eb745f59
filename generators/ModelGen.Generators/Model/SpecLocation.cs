namespace ModelGen.Generators.Model;

/// <summary>
/// Where something is in a spec file: the file, the character span and the line span (zero-based).
/// Turned into a Roslyn <c>Location</c> only when a diagnostic is reported.
/// </summary>
internal sealed record SpecLocation(string FilePath, int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn)
{
    /// <summary>The start of the file, for problems that belong to the whole file.</summary>
    public static SpecLocation FileStart(string filePath) => new(filePath, 0, 0, 0, 0, 0, 0);
}
