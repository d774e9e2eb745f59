namespace ModelGen.Package.Tests;

/// <summary>
/// The repository's packages, packed once into a temporary folder feed under a version no other run uses
/// (so the NuGet cache never serves a stale copy); removed from the cache afterwards.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    private static readonly string[] Packages = ["ModelGen", "ModelGen.Testing", "ModelGen.Templates"];

    public PackageFeed()
    {
        Suffix = "e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        Folder = Directory.CreateTempSubdirectory("modelgen-feed-").FullName;
        // As the README says: the whole solution is packed, and only the three packages come out.
        Command.Run("dotnet", ["pack", Path.Combine(Command.RepositoryRoot, "ModelGen.sln"), "-c", Command.Configuration, "--no-build", "-o", Folder, $"-p:VersionSuffix={Suffix}"], Command.RepositoryRoot);
        var packed = Directory.GetFiles(Folder, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.True(
            packed.Count == Packages.Length && Packages.All(id => packed.Any(file => file!.StartsWith(id + ".0", StringComparison.Ordinal))),
            $"dotnet pack ModelGen.sln made {string.Join(", ", packed)}; expected exactly {string.Join(", ", Packages)}");

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

    /// <summary>
    /// Writes a newcomer's console app into <paramref name="folder"/>: <paramref name="name"/>.csproj referencing
    /// the ModelGen package from this feed (with <paramref name="properties"/> added), and the feed's nuget.config.
    /// </summary>
    public void WriteConsoleProject(string folder, string name, string properties = "")
    {
        File.WriteAllText(Path.Combine(folder, "nuget.config"), NuGetConfig);
        File.WriteAllText(Path.Combine(folder, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>{properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
    }

    /// <summary>NuGet's global packages folder: NUGET_PACKAGES, else ~/.nuget/packages.</summary>
    public static string GlobalPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public void Dispose()
    {
        var packages = GlobalPackagesFolder;
        foreach (var id in Packages)
        {
            var cached = Path.Combine(packages, id.ToLowerInvariant(), Version);
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
