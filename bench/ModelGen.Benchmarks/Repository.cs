using System.Reflection;

namespace ModelGen.Benchmarks;

/// <summary>Paths inside the repository the benchmarks were built from.</summary>
internal static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;
}
