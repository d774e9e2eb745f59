namespace ModelGen.Package.Tests;

/// <summary>
/// Specs are real build inputs in a project that uses the package (issue 17, items 1 and 2): renaming or
/// deleting a spec changes the assembly at the next build even when no C# file changed, a spec named like
/// plain YAML gets a warning that says how to name it, dotnet watch watches specs, and a spec error is the
/// build's only error even where the user's code uses the model.
/// </summary>
[Collection(nameof(PackageFeed))]
public sealed class SpecBuildInputTests(PackageFeed feed) : IDisposable
{
    private const string Spec = "model: Shoes\nlabels: [sandal, sneaker]\ninput: { size: 32 }\nbackbone: { architecture: resnet18 }\nhead: [global_avg_pool, { dense: 2, activation: softmax }]\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-inputs-").FullName;

    [Fact]
    public void RenamingDeletingAndRestoringASpec_ChangesTheAssembly_WithoutAnyCSharpEdit()
    {
        WriteProject();
        // The program lists the model classes it was built with; it never touches libtorch.
        File.WriteAllText(Path.Combine(_folder, "Program.cs"), """
            var models = typeof(Program).Assembly.GetTypes().Where(t => t.BaseType?.Name.StartsWith("Module", StringComparison.Ordinal) == true).Select(t => t.Name).Order();
            Console.WriteLine("models: " + string.Join(",", models));
            """);
        var spec = Path.Combine(_folder, "shoes.model.yaml");
        File.WriteAllText(spec, Spec);

        Assert.Equal("models: Shoes", BuildAndRun());

        // Renamed to plain YAML (mv keeps the timestamp, so nothing is newer than the last build).
        var plain = Path.Combine(_folder, "shoes.yaml");
        File.Move(spec, plain);
        var (renamedOutput, renamed) = BuildAndRunWithLog();
        Assert.Equal("models:", renamed);
        Assert.Contains("shoes.yaml(1,1): warning MGB0003", renamedOutput, StringComparison.Ordinal);
        Assert.Contains("Rename it to shoes.model.yaml", renamedOutput, StringComparison.Ordinal);

        // Back, with its old timestamp.
        File.Move(plain, spec);
        Assert.Equal("models: Shoes", BuildAndRun());

        File.Delete(spec);
        Assert.Equal("models:", BuildAndRun());
    }

    [Fact]
    public void ASpecError_IsTheOnlyError_WhenTheCodeUsesTheModel()
    {
        WriteProject();
        File.WriteAllText(Path.Combine(_folder, "Program.cs"), """
            using var model = Shop.Shoes.Create();
            var prediction = model.Predict("shoe.png");
            Console.WriteLine(prediction.Label == Shop.ShoesLabel.Sneaker ? Shop.Shoes.Summary() : "sandal");
            """);
        File.WriteAllText(Path.Combine(_folder, "shoes.model.yaml"), Spec.Replace("softmax", "sofmax", StringComparison.Ordinal));

        var (exit, output) = Command.TryRun("dotnet", ["build"], _folder);

        Assert.NotEqual(0, exit);
        Assert.Matches(@"shoes\.model\.yaml\(5,\d+\): error MG0017", output);
        Assert.DoesNotContain("error CS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void DotnetWatch_WatchesTheSpecs()
    {
        WriteProject();
        File.WriteAllText(Path.Combine(_folder, "Program.cs"), "Console.WriteLine();\n");
        File.WriteAllText(Path.Combine(_folder, "shoes.model.yaml"), Spec);
        Command.Run("dotnet", ["restore"], _folder);

        var watched = Command.Run("dotnet", ["watch", "--list"], _folder);

        Assert.Contains(Path.Combine(_folder, "shoes.model.yaml"), watched, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void WriteProject() => feed.WriteConsoleProject(_folder, "Shop");

    private string BuildAndRun() => BuildAndRunWithLog().Models;

    private (string Build, string Models) BuildAndRunWithLog()
    {
        var build = Command.Run("dotnet", ["build"], _folder);
        var output = Command.Run("dotnet", [Path.Combine("bin", "Debug", "net10.0", "Shop.dll")], _folder);
        return (build, output.Split('\n').Single(l => l.StartsWith("models:", StringComparison.Ordinal)).TrimEnd());
    }
}
