using Microsoft.Build.Utilities;
using ModelGen.Shared;

namespace ModelGen.Build.Tests;

/// <summary>
/// The files a spec names are copied into the app's output at a path the runtime knows (issue 17: the build
/// no longer records the absolute project folder in the user's assembly).
/// </summary>
public sealed class FindSpecFilesTests
{
    [Theory]
    [InlineData("backbone:\n  architecture: resnet18\n  weights: w/mine.pth\n", "w/mine.pth")]
    [InlineData("backbone: { architecture: onnx, path: 'w/my graph.onnx', feature_shape: [8, 1, 1] }\n", "w/my graph.onnx")]
    [InlineData("{ \"backbone\": { \"architecture\": \"resnet18\", \"weights\": \"w\\/a\\\\b.safetensors\" } }", "w/a\\b.safetensors")]
    [InlineData("backbone:\n  weights: \"w/x.pth\" # a comment\n", "w/x.pth")]
    public void TheWeightsAndPathValues_AreFound_InYamlAndJson(string text, string expected) =>
        Assert.Equal([expected], FindSpecFiles.NamedFiles(text).ToArray());

    [Theory]
    [InlineData("backbone: { architecture: resnet18, weights: https://example.com/w.pth }\n")]
    [InlineData("backbone: { architecture: resnet18, weights: hf://owner/repo/w.safetensors }\n")]
    [InlineData("model: Weights\nlabels: [path, weights]\n")]
    public void UrlsAndOtherKeys_AreNotFiles(string text) =>
        Assert.Empty(FindSpecFiles.NamedFiles(text));

    [Fact]
    public void ExistingFiles_GoToTheOutputAtTheirProjectPath_AndOutsideFilesUnderModelgenFiles()
    {
        using var temp = new TempDirectory();
        var project = Path.Combine(temp.Path, "app");
        Directory.CreateDirectory(Path.Combine(project, "specs"));
        Directory.CreateDirectory(Path.Combine(project, "weights"));
        File.WriteAllBytes(Path.Combine(project, "weights", "head.pth"), [1]);
        File.WriteAllBytes(Path.Combine(temp.Path, "shared.onnx"), [2]);
        var first = Path.Combine(project, "specs", "a.model.yaml");
        File.WriteAllText(first, "backbone: { architecture: resnet18, weights: ../weights/head.pth }\n");
        var second = Path.Combine(project, "b.model.yaml");
        File.WriteAllText(second, "backbone: { architecture: onnx, path: ../shared.onnx }\n");
        var third = Path.Combine(project, "c.model.yaml");
        File.WriteAllText(third, "backbone: { architecture: resnet18, weights: missing.pth }\n");
        var task = new FindSpecFiles { BuildEngine = new RecordingBuildEngine(), ProjectDirectory = project, Specs = [new TaskItem(first), new TaskItem(second), new TaskItem(third)] };

        Assert.True(task.Execute());

        var links = task.Files.ToDictionary(f => f.ItemSpec, f => f.GetMetadata("Link"));
        Assert.Equal(2, links.Count);
        Assert.Equal("weights/head.pth", links[Path.Combine(project, "weights", "head.pth")]);
        Assert.Equal("modelgen/files/shared.onnx", links[Path.Combine(temp.Path, "shared.onnx")]);
    }

    [Theory]
    [InlineData("", "w.pth", "w.pth")]
    [InlineData("specs", "../weights/w.pth", "weights/w.pth")]
    [InlineData("specs/inner", "./w.pth", "specs/inner/w.pth")]
    [InlineData("specs", "../../shared/w.pth", "modelgen/files/w.pth")]
    [InlineData("", "../w.pth", "modelgen/files/w.pth")]
    public void TheOutputLayout_IsTheProjectRelativePath(string specDirectory, string file, string expected) =>
        Assert.Equal(expected, SpecFileLayout.OutputPath(SpecFileLayout.ProjectRelative(specDirectory, file)));
}
