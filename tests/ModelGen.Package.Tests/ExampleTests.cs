namespace ModelGen.Package.Tests;

/// <summary>The examples build with the solution and run their quick modes.</summary>
public sealed class ExampleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-examples-").FullName;

    [Fact]
    public void FashionMnist_QuickMode_TrainsAllThreeWaysAndReports()
    {
        var output = Run("FashionMnist", "--quick", "--output", _folder);

        Assert.Contains("Method 1 (features, frozen layer3): test accuracy", output);
        Assert.Contains("Head then fine-tuned layer3: test accuracy", output);
        Assert.Contains("Cut at layer3:", output);
        Assert.Contains("true \\ predicted", output);
        Assert.True(File.Exists(Path.Combine(_folder, "fashion-features.mgmodel")));
        Assert.True(File.Exists(Path.Combine(_folder, "fine-tuned", "curves.png")));
        Assert.True(File.Exists(Path.Combine(_folder, "fine-tuned", "report.html")));
        Assert.True(File.Exists(Path.Combine(_folder, "fine-tuned", "test-report.html")));
        Assert.Contains($"Open {Path.Combine(_folder, "fine-tuned", "report.html")} in a browser", output);
        // One folder per run, with checkpoints only where the spec keeps them.
        Assert.Contains($"Outputs, all under {_folder}:", output);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_folder, "fine-tuned", "checkpoints")));
        Assert.False(Directory.Exists(Path.Combine(_folder, "layer4", "checkpoints")));
        Assert.False(Directory.Exists(Path.Combine(_folder, "checkpoints")));
    }

    [Fact]
    public void CatsVsDogs_QuickMode_RunsTheSeedsThreeSetups()
    {
        var output = Run("CatsVsDogs", "--quick");

        Assert.Contains("1. feature extraction: test accuracy", output);
        Assert.Contains("2. frozen base with augmentation: test accuracy", output);
        Assert.Contains("3. fine-tuning from block5_conv1: test accuracy", output);
        Assert.Matches(@"report: \S+/output/fine-tuned/report\.html, on the test images: \S+/output/fine-tuned/test-report\.html", output);
    }

    [Fact]
    public void OnnxExport_TrainsExportsAndOnnxRuntimeAgrees()
    {
        var output = Run("OnnxExport", _folder);

        Assert.Contains("ONNX Runtime and ModelGen agree on 100 of 100 images", output);
        Assert.True(File.Exists(Path.Combine(_folder, "bags-or-sneakers.onnx")));
    }

    [Fact]
    public void Regression_QuickMode_LearnsTheRotationAngle()
    {
        var output = Run("Regression", "--quick", "--output", _folder);

        Assert.Matches(@"Rotation angle: test R² 0\.\d{3}, MAE \d+\.\d°", output);
        Assert.Matches(@"Predict images/\S+\.png: -?\d+\.\d° \(turned by -?\d+\.\d+°\)", output);
        Assert.True(File.Exists(Path.Combine(_folder, "data", "train", "angles.csv")));
        Assert.True(File.Exists(Path.Combine(_folder, "training", "report.html")));
        Assert.True(File.Exists(Path.Combine(_folder, "test-report.html")));
        Assert.True(File.Exists(Path.Combine(_folder, "rotation-angle.mgmodel")));
    }

    [Fact]
    public void HelloTorch_Runs()
    {
        Assert.Contains("[[6, 6]", Run("HelloTorch"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Run(string example, params string[] arguments)
    {
        var program = Path.Combine(Command.RepositoryRoot, "examples", example, "bin", Command.Configuration, "net10.0", example + ".dll");
        return Command.Run("dotnet", [program, .. arguments], _folder, TimeSpan.FromMinutes(10));
    }
}
