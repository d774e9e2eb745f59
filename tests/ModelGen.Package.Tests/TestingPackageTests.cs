namespace ModelGen.Package.Tests;

/// <summary>
/// ModelGen.Testing as a user meets it: a project outside the repository takes it from the folder feed,
/// and a snapshot of a spec's generated code goes from new, to accepted, to a readable diff after a spec edit.
/// </summary>
[Collection(nameof(PackageFeed))]
public sealed class TestingPackageTests(PackageFeed feed) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-testing-").FullName;

    [Fact]
    public void SnapshotOfASpec_IsNewThenMatchesThenShowsTheSpecChange()
    {
        File.WriteAllText(Path.Combine(_folder, "nuget.config"), feed.NuGetConfig);
        File.WriteAllText(Path.Combine(_folder, "SpecChecks.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen.Testing" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_folder, "Program.cs"), """
            try
            {
                ModelGen.Testing.GeneratedCode.MatchesSnapshot(args[0]);
                Console.WriteLine("matches");
            }
            catch (Exception e)
            {
                Console.WriteLine(e.GetType().Name);
                Console.WriteLine(e.Message);
            }
            """);
        var spec = Path.Combine(_folder, "pets.model.yaml");
        File.WriteAllText(spec, """
            model: Pets
            input: { size: 64 }
            labels: [cat, dog]
            backbone: { architecture: resnet18, weights: none, truncate_at: layer2 }
            head: [global_avg_pool, { dense: 1, activation: sigmoid }]
            training: { epochs: 3 }
            """);

        var build = Command.Run("dotnet", ["build", "-c", "Release"], _folder);
        var app = Path.Combine("bin", "Release", "net10.0", "SpecChecks.dll");
        var first = Command.Run("dotnet", [app, spec], _folder);
        File.Move(spec + ".received.cs", spec + ".verified.cs");
        var second = Command.Run("dotnet", [app, spec], _folder);
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("epochs: 3", "epochs: 4", StringComparison.Ordinal));
        var third = Command.Run("dotnet", [app, spec], _folder);

        Assert.Contains("0 Warning(s)", build);
        Assert.Contains("SnapshotMismatchException", first);
        Assert.Contains("New snapshot", first);
        Assert.Contains("class Pets", File.ReadAllText(spec + ".verified.cs"));
        Assert.StartsWith("matches", second, StringComparison.Ordinal);
        Assert.Contains("SnapshotMismatchException", third);
        Assert.Contains("pets.model.yaml.verified.cs differs", third);
        Assert.Contains("4 epochs", third);
        Assert.True(File.Exists(spec + ".received.cs"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
