namespace ModelGen.Package.Tests;

/// <summary>dotnet new modelgen-classifier: the template installs, instantiates, builds and runs.</summary>
[Collection(nameof(PackageFeed))]
public sealed class TemplateTests(PackageFeed feed) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-template-").FullName;

    [Fact]
    public void Template_InstantiatesBuildsAndRuns()
    {
        // A private template hive, so nothing is installed for the user running the tests.
        var hive = Path.Combine(_folder, "hive");
        var package = Directory.GetFiles(feed.Folder, "ModelGen.Templates.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        Command.Run("dotnet", ["new", "install", package, "--debug:custom-hive", hive], _folder);
        Command.Run("dotnet", ["new", "modelgen-classifier", "-n", "Garden", "-o", "Garden", "--classes", "3", "--debug:custom-hive", hive], _folder);
        var project = Path.Combine(_folder, "Garden");
        File.WriteAllText(Path.Combine(project, "nuget.config"), feed.NuGetConfig);

        Assert.Contains(feed.Version, File.ReadAllText(Path.Combine(project, "Garden.csproj")));
        Assert.Contains("dense: 3", File.ReadAllText(Path.Combine(project, "classifier.model.yaml")));
        Assert.True(Directory.Exists(Path.Combine(project, "data", "train", "first-class")));
        Command.Run("dotnet", ["build", "-c", "Release"], project);
        var output = Command.Run("dotnet", [Path.Combine("bin", "Release", "net10.0", "Garden.dll")], project);

        Assert.Contains("Model: \"GardenModel\"", output);
        Assert.Contains("No images yet", output);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
