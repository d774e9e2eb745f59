namespace ModelGen.Generators.Analysis;

/// <summary>The few project settings the generator reads, reduced to a small equatable record.</summary>
internal sealed record ProjectOptions(string RootNamespace, string ProjectDirectory)
{
    public static ProjectOptions Empty { get; } = new("", "");
}
