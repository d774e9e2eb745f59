namespace ModelGen.Package.Tests;

/// <summary>
/// ModelGen.Testing as a user meets it: a test project outside the repository takes it from the folder feed
/// and checks a spec of another (app) project; the snapshot of the spec's generated code lives beside the
/// test, not in the app, and goes from new, to accepted, to a readable diff after a spec edit.
/// </summary>
[Collection(nameof(PackageFeed))]
public sealed class TestingPackageTests(PackageFeed feed) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-testing-").FullName;

    [Fact]
    public void SnapshotOfASpec_IsNewThenMatchesThenShowsTheSpecChange()
    {
        File.WriteAllText(Path.Combine(_folder, "nuget.config"), feed.NuGetConfig);
        var tests = Directory.CreateDirectory(Path.Combine(_folder, "SpecChecks")).FullName;
        var app = Directory.CreateDirectory(Path.Combine(_folder, "App")).FullName;
        File.WriteAllText(Path.Combine(tests, "SpecChecks.csproj"), $"""
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
        File.WriteAllText(Path.Combine(tests, "Program.cs"), """
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
        var spec = Path.Combine(app, "pets.model.yaml");
        File.WriteAllText(spec, """
            model: Pets
            input: { size: 64 }
            labels: [cat, dog]
            backbone: { architecture: resnet18, weights: none, truncate_at: layer2 }
            head: [global_avg_pool, { dense: 1, activation: sigmoid }]
            training: { epochs: 3 }
            """);

        var build = Command.Run("dotnet", ["build", "-c", "Release"], tests);
        var checks = Path.Combine("bin", "Release", "net10.0", "SpecChecks.dll");
        var snapshot = Path.Combine(tests, "pets.model.yaml.verified.cs");
        var first = Command.Run("dotnet", [checks, spec], tests);
        File.Move(Path.Combine(tests, "pets.model.yaml.received.cs"), snapshot);
        var second = Command.Run("dotnet", [checks, spec], tests);
        var rebuild = Command.Run("dotnet", ["build", "-c", "Release"], tests); // the snapshot is not compiled
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("epochs: 3", "epochs: 4", StringComparison.Ordinal));
        var third = Command.Run("dotnet", [checks, spec], tests);

        Assert.Contains("0 Warning(s)", build);
        Assert.Contains("0 Warning(s)", rebuild);
        Assert.Contains("SnapshotMismatchException", first);
        Assert.Contains("New snapshot", first);
        Assert.Contains("class Pets", File.ReadAllText(snapshot));
        Assert.StartsWith("matches", second, StringComparison.Ordinal);
        Assert.Contains("SnapshotMismatchException", third);
        Assert.Contains("pets.model.yaml.verified.cs differs", third);
        Assert.Contains("4 epochs", third);
        Assert.True(File.Exists(Path.Combine(tests, "pets.model.yaml.received.cs")));
        Assert.Equal(["pets.model.yaml"], Directory.GetFiles(app).Select(Path.GetFileName)); // nothing in the app project
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
