namespace ModelGen.Package.Tests;

/// <summary>
/// The repository's packages, packed once into a temporary folder feed under a version no other run uses
/// (so the NuGet cache never serves a stale copy); removed from the cache afterwards.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    private static readonly string[] Projects = ["src/ModelGen/ModelGen.csproj", "src/ModelGen.Testing/ModelGen.Testing.csproj", "src/ModelGen.Templates/ModelGen.Templates.csproj"];

    public PackageFeed()
    {
        Suffix = "e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        Folder = Directory.CreateTempSubdirectory("modelgen-feed-").FullName;
        foreach (var project in Projects)
        {
            Command.Run("dotnet", ["pack", Path.Combine(Command.RepositoryRoot, project), "-c", Command.Configuration, "--no-build", "-o", Folder, $"-p:VersionSuffix={Suffix}"], Command.RepositoryRoot);
        }

        Version = Path.GetFileNameWithoutExtension(Directory.GetFiles(Folder, "ModelGen.0*.nupkg").Single())["ModelGen.".Length..];
    }

    public string Folder { get; }

    public string Suffix { get; }

    /// <summary>The packages' version, e.g. 0.1.0-e2e.20261129071500123.</summary>
    public string Version { get; }

    /// <summary>A nuget.config for a project outside the repository: this feed, then nuget.org.</summary>
    public string NuGetConfig => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="modelgen-e2e" value="{Folder}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
        </configuration>
        """;

    public void Dispose()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "modelgen", "modelgen.testing", "modelgen.templates" })
        {
            var cached = Path.Combine(packages, id, Version);
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }

        Directory.Delete(Folder, recursive: true);
    }
}

[CollectionDefinition(nameof(PackageFeed))]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>;
