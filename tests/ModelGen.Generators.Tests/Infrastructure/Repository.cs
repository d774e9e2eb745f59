using System.Reflection;

namespace ModelGen.Generators.Tests.Infrastructure;

/// <summary>Paths inside the repository the tests were built from.</summary>
internal static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public static string SpecsFolder => Path.Combine(Root, "tests", "ModelGen.Generators.Tests", "Specs");

    /// <summary>A test spec's text by file name (in tests/ModelGen.Generators.Tests/Specs).</summary>
    public static string Spec(string name) => File.ReadAllText(Path.Combine(SpecsFolder, name));
}
