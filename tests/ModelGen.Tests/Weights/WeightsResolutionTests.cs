using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;

namespace ModelGen.Tests.Weights;

/// <summary>Which weights file a backbone definition leads to: the override, the ImageNet folder, or the spec's file.</summary>
public sealed class WeightsResolutionTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Theory]
    [InlineData(WeightsKind.None)]
    [InlineData(WeightsKind.ImageNet)]
    [InlineData(WeightsKind.File)]
    public void WeightsPathNamingAFile_WinsOverTheSpec(WeightsKind weights)
    {
        var file = _folder["override.safetensors"];
        File.WriteAllBytes(file, [1]);
        var definition = Definition(weights, weightsFile: "elsewhere.pth");

        Assert.Equal(file, BackboneWeights.Resolve(definition, new ModelOptions { WeightsPath = file }));
    }

    [Fact]
    public void FreshWeights_NeedNoFile()
    {
        Assert.Null(BackboneWeights.Resolve(Definition(WeightsKind.None), new ModelOptions { WeightsPath = _folder.Path }));
    }

    [Fact]
    public void WeightsPathNamingAFolder_ReplacesTheImageNetFolder()
    {
        var file = _folder["vgg16.safetensors"];
        File.WriteAllBytes(file, [1]);

        Assert.Equal(file, BackboneWeights.Resolve(Definition(WeightsKind.ImageNet), new ModelOptions { WeightsPath = _folder.Path }));
    }

    [Fact]
    public void SpecFile_IsFoundRelativeToTheSpecFolder()
    {
        Directory.CreateDirectory(_folder["weights"]);
        File.WriteAllBytes(_folder["weights/mine.pth"], [1]);

        Assert.Equal(Path.GetFullPath(_folder["weights/mine.pth"]), BackboneWeights.Resolve(Definition(WeightsKind.File, weightsFile: "weights/mine.pth"), new ModelOptions()));
    }

    [Fact]
    public void MissingSpecFile_NamesTheKeyAndWhereItWasLookedFor()
    {
        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(WeightsKind.File, weightsFile: "absent.pth"), new ModelOptions()));

        Assert.Contains("'absent.pth' (spec key backbone.weights)", error.Message);
        Assert.Contains(_folder["absent.pth"], error.Message);
    }

    [Fact]
    public void MissingOnnxGraph_NamesTheBackbonePathKey_NotTheWeightsKey()
    {
        var definition = new BackboneDefinition(Architecture.Onnx, WeightsKind.ImageNet, null, [3, 32, 32], [8, 1, 1], 3, BatchNormMode.Frozen, _folder.Path, OnnxPath: "absent.onnx");

        var error = Assert.Throws<WeightsException>(() => BackboneFactory.Create(definition, new ModelOptions(), pretrained: true));

        Assert.Contains("'absent.onnx' (spec key backbone.path)", error.Message);
        Assert.Contains(_folder["absent.onnx"], error.Message);
    }

    [Theory]
    [InlineData("specs", "../weights/{0}.pth", "weights/{0}.pth")]
    [InlineData("specs", "../../shared/{0}.pth", "modelgen/files/{0}.pth")]
    public void ASpecInsideTheProject_FindsItsFileWhereTheBuildCopiedIt_NextToTheApp(string specDirectory, string file, string copied)
    {
        // Generated code names the spec's folder relative to the project; the build copies the file into the
        // output at this path (ModelGen.targets, FindSpecFiles). No project folder is recorded anywhere.
        var unique = "resolution-" + Guid.NewGuid().ToString("N");
        var target = Path.Combine(AppContext.BaseDirectory, string.Format(System.Globalization.CultureInfo.InvariantCulture, copied, unique));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllBytes(target, [1]);
        try
        {
            var definition = new BackboneDefinition(Architecture.Vgg16, WeightsKind.File, null, [3, 32, 32], [512, 1, 1], 3, BatchNormMode.Frozen, specDirectory, WeightsFile: string.Format(System.Globalization.CultureInfo.InvariantCulture, file, unique));

            Assert.Equal(Path.GetFullPath(target), BackboneWeights.Resolve(definition, new ModelOptions()));
        }
        finally
        {
            File.Delete(target);
        }
    }

    public void Dispose() => _folder.Dispose();

    private BackboneDefinition Definition(WeightsKind weights, string? weightsFile = null) =>
        new(Architecture.Vgg16, weights, null, [3, 32, 32], [512, 1, 1], 3, BatchNormMode.Frozen, _folder.Path, WeightsFile: weightsFile);
}
