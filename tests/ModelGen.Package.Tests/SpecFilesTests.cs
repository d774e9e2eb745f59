namespace ModelGen.Package.Tests;

/// <summary>
/// A file a spec names travels with the app (issue 17): the build copies it into the output and publish
/// folders, the assembly records no project folder (only the spec's text, as a resource for the run report),
/// and the published app finds the file from anywhere, even after the project folder's copy is gone.
/// </summary>
[Collection(nameof(PackageFeed))]
public sealed class SpecFilesTests(PackageFeed feed) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-spec-files-").FullName;

    [Fact]
    public void APublishedApp_FindsTheGraphItsSpecNames_AndItsAssemblyHoldsNoProjectPath()
    {
        var project = Path.Combine(_folder, "app");
        Directory.CreateDirectory(Path.Combine(project, "specs"));
        Directory.CreateDirectory(Path.Combine(project, "graphs"));
        feed.WriteConsoleProject(project, "Graphs");
        // A real ONNX graph: ResNet18 as ML.NET ships it (a dependency of the package, so it is restored already).
        var resnet = Path.Combine(PackageFeed.GlobalPackagesFolder, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        File.Copy(resnet, Path.Combine(project, "graphs", "resnet.onnx"));
        File.WriteAllText(Path.Combine(project, "specs", "stem.model.yaml"), """
            model: Stem
            labels: [a, b]
            input: { size: 224 }
            backbone: { architecture: onnx, path: ../graphs/resnet.onnx, truncate_at: Pooling255, feature_shape: [64, 56, 56] }
            head: [global_avg_pool, { dense: 2, activation: softmax }]
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), """
            using System.Reflection;
            foreach (var metadata in typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
            {
                Console.WriteLine($"metadata {metadata.Key}={metadata.Value}");
            }

            Console.WriteLine("resources " + string.Join(",", typeof(Program).Assembly.GetManifestResourceNames()));
            using var model = Graphs.Stem.Create();
            Console.WriteLine($"created {string.Join("x", Graphs.Stem.FeatureShape)} with {model.Backbone.StageNames.Count} stages");
            """);
        Command.Run("dotnet", ["restore"], project);
        var published = Path.Combine(_folder, "published");
        Command.Run("dotnet", ["publish", "-c", "Release", "-o", published, "--no-restore"], project);

        Assert.True(File.Exists(Path.Combine(project, "bin", "Release", "net10.0", "graphs", "resnet.onnx")));
        Assert.True(File.Exists(Path.Combine(published, "graphs", "resnet.onnx")));
        // The app moves to another machine: the project's copy is gone, and it runs from another folder.
        Directory.Delete(Path.Combine(project, "graphs"), recursive: true);
        var elsewhere = Directory.CreateDirectory(Path.Combine(_folder, "elsewhere")).FullName;
        var output = Command.Run("dotnet", [Path.Combine(published, "Graphs.dll")], elsewhere);

        Assert.Contains("created 64x56x56 with", output, StringComparison.Ordinal);
        Assert.DoesNotContain(_folder, output, StringComparison.Ordinal);
        Assert.DoesNotContain("metadata ModelGen.", output, StringComparison.Ordinal);
        // The spec's text travels inside the assembly, for the run report.
        Assert.Contains("resources ModelGen/specs/specs/stem.model.yaml", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
