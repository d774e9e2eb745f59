using System.Reflection;

namespace ModelGen.Tests.Infrastructure;

/// <summary>Paths of the repository and the shared real data.</summary>
internal static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;
}
