namespace ModelGen.Package.Tests;

/// <summary>
/// The package as a newcomer meets it: a brand-new console app outside the repository adds ModelGen from
/// a folder feed (no project references), drops in a spec, builds, trains on real images and predicts.
/// </summary>
[Collection(nameof(PackageFeed))]
public sealed class FreshProjectTests(PackageFeed feed) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-fresh-").FullName;

    [Fact]
    public void FreshConsoleApp_WithTheModelGenPackage_BuildsTrainsAndPredicts()
    {
        feed.WriteConsoleProject(_folder, "Shop", "\n    <ModelGenEmitGeneratedFiles>true</ModelGenEmitGeneratedFiles>");
        File.WriteAllText(Path.Combine(_folder, "shop.model.yaml"), """
            model: ShopClassifier
            input: { size: 64, channels: 1 }
            labels: [bag, sneaker]
            backbone: { architecture: resnet18_mlnet, weights: imagenet, truncate_at: layer2 }
            head: [flatten, { dense: 1, activation: sigmoid }]
            training: { epochs: 8, batch_size: 4, optimizer: { type: adam, lr: 1.0e-3 } }
            """);
        File.WriteAllText(Path.Combine(_folder, "Program.cs"), """
            using Shop;

            using var model = ShopClassifier.Create();
            var history = model.Train("data/train", null, new ModelGen.TrainOptions { CheckpointDirectory = "checkpoints", OutputDirectory = "training" });
            var evaluation = model.Evaluate("data/test");
            var prediction = model.Predict(Directory.GetFiles("data/test/sneaker")[0]);
            Console.WriteLine($"first loss {history.Epochs[0].Loss:0.0000} last loss {history.Epochs[^1].Loss:0.0000}");
            Console.WriteLine($"test accuracy {evaluation.Accuracy:0.000}");
            Console.WriteLine($"prediction {prediction.Label} {prediction.Confidence:0.000}");
            // The same backbone's features from ONNX Runtime (the package brings it): relative to LibTorch's.
            using var onnx = ShopClassifier.Create(new ModelGen.ModelOptions { InferenceEngine = ModelGen.InferenceEngine.OnnxRuntime, CacheDirectory = "onnx-cache" });
            using var viaTorch = model.Extract("data/test");
            using var viaOnnx = onnx.Extract("data/test");
            Console.WriteLine($"onnxruntime difference {(viaTorch.Features - viaOnnx.Features).abs().max().item<float>() / viaTorch.Features.abs().max().item<float>():E2}");
            """);
        CopyImages("train", 10);
        CopyImages("test", 5);

        var build = Command.Run("dotnet", ["build", "-c", "Release"], _folder);
        var output = Command.Run("dotnet", [Path.Combine("bin", "Release", "net10.0", "Shop.dll")], _folder);

        Assert.Contains("prediction ", output);
        var losses = output.Split('\n').Single(l => l.StartsWith("first loss", StringComparison.Ordinal)).Split(' ');
        Assert.True(double.Parse(losses[5], System.Globalization.CultureInfo.InvariantCulture) < double.Parse(losses[2], System.Globalization.CultureInfo.InvariantCulture), output);
        Assert.True(File.Exists(Path.Combine(_folder, "training", "curves.png")));
        var difference = output.Split('\n').Single(l => l.StartsWith("onnxruntime difference", StringComparison.Ordinal)).Split(' ')[2];
        Assert.True(double.Parse(difference, System.Globalization.CultureInfo.InvariantCulture) <= 1e-4, output);
        Assert.True(File.Exists(Path.Combine(_folder, "bin", "Release", "net10.0", "modelgen", "resnet18_mlnet", "ResNet18.onnx")));
        // One model class, written for review as its network, training and metadata files.
        var generated = Directory.GetFiles(Path.Combine(_folder, "Generated"), "*.g.cs", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, generated.Count);
        Assert.Single(generated, name => name!.EndsWith("ShopClassifier.Metadata.g.cs", StringComparison.Ordinal));
        Assert.Single(generated, name => name!.EndsWith("ShopClassifier.Training.g.cs", StringComparison.Ordinal));
        var network = Directory.GetFiles(Path.Combine(_folder, "Generated"), "*ShopClassifier.g.cs", SearchOption.AllDirectories).Single();
        Assert.Contains("class ShopClassifier", File.ReadAllText(network));
        Assert.Contains("0 Warning(s)", build);
    }

    [Fact]
    public void SpecErrors_AreBuildErrorsAtTheSpecsLineAndColumn()
    {
        File.WriteAllText(Path.Combine(_folder, "nuget.config"), feed.NuGetConfig);
        File.WriteAllText(Path.Combine(_folder, "Broken.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_folder, "broken.model.yaml"), "model: M\ninput: { size: 64 }\nbackbone: { architecture: resnet19 }\nhead: [flatten, { dense: 2 }]\n");

        var (exit, output) = Command.TryRun("dotnet", ["build"], _folder);

        Assert.NotEqual(0, exit);
        Assert.Contains("broken.model.yaml(3,27): error MG0011", output);
        // The diagnostics have no help link (no public web address yet); their explanations come with the package.
        var package = Directory.GetFiles(feed.Folder, $"ModelGen.{feed.Version}.nupkg").Single();
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        Assert.Contains(zip.Entries, e => e.FullName == "docs/diagnostics.md");
        Assert.Contains(zip.Entries, e => e.FullName == "docs/spec-reference.md");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void CopyImages(string split, int count)
    {
        foreach (var label in new[] { "bag", "sneaker" })
        {
            var source = Path.Combine(Command.RepositoryRoot, "examples", "FashionMnist", "data", split, label);
            var target = Directory.CreateDirectory(Path.Combine(_folder, "data", split, label)).FullName;
            foreach (var file in Directory.GetFiles(source).Order().Take(count))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }
    }
}
