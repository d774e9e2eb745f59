namespace ModelGen.Package.Tests;

/// <summary>
/// dotnet new modelgen-classifier: the template installs, instantiates, builds without a warning and runs, for
/// a binary classifier (<c>--classes 1</c>) and a multi-class one, with one data folder per class it promises.
/// </summary>
[Collection(nameof(PackageFeed))]
public sealed class TemplateTests(PackageFeed feed) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-template-").FullName;

    [Theory]
    [InlineData(3, 3, "dense: 3\n    activation: softmax")]
    [InlineData(1, 2, "dense: 1\n    activation: sigmoid")] // 1: binary, two folders, one sigmoid output
    public void Template_InstantiatesBuildsAndRuns(int classes, int folders, string outputLayer)
    {
        // A private template hive, so nothing is installed for the user running the tests.
        var hive = Path.Combine(_folder, "hive");
        var package = Directory.GetFiles(feed.Folder, "ModelGen.Templates.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        Command.Run("dotnet", ["new", "install", package, "--debug:custom-hive", hive], _folder);
        Command.Run("dotnet", ["new", "modelgen-classifier", "-n", "Garden", "-o", "Garden", "--classes", classes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--debug:custom-hive", hive], _folder);
        var project = Path.Combine(_folder, "Garden");
        File.WriteAllText(Path.Combine(project, "nuget.config"), feed.NuGetConfig);

        Assert.Contains(feed.Version, File.ReadAllText(Path.Combine(project, "Garden.csproj")));
        var spec = File.ReadAllText(Path.Combine(project, "classifier.model.yaml")).ReplaceLineEndings("\n");
        Assert.Contains(outputLayer, spec);
        Assert.DoesNotContain("#if", spec);
        Assert.StartsWith("# yaml-language-server: $schema=modelgen.schema.json\n", spec);
        Assert.True(File.Exists(Path.Combine(project, "modelgen.schema.json")));
        Assert.Contains("checkpoints/", File.ReadAllText(Path.Combine(project, ".gitignore")));
        foreach (var split in new[] { "train", "test" })
        {
            var made = Directory.GetDirectories(Path.Combine(project, "data", split)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(Enumerable.Range(1, folders).Select(i => $"class-{i}").Order(StringComparer.Ordinal), made);
        }

        var build = Command.Run("dotnet", ["build", "-c", "Release"], project);
        var output = Command.Run("dotnet", [Path.Combine("bin", "Release", "net10.0", "Garden.dll")], project);

        Assert.Contains("0 Warning(s)", build);
        Assert.Contains("Model: \"GardenModel\"", output);
        Assert.Contains($"No images yet", output);
        Assert.Contains($"({folders} classes;", output);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
