using ModelGen.Backbones;
using ModelGen.Onnx;
using ModelGen.Tests.Infrastructure;
using Onnx;
using static TorchSharp.torch;

namespace ModelGen.Tests.Onnx;

/// <summary>
/// The real ImageNet ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18, imported, against ONNX Runtime
/// on random inputs of several sizes, whole and cut at intermediate layers.
/// </summary>
public sealed class ResNet18MlnetEquivalenceTests
{
    private static readonly Lazy<ModelProto> Model = new(() => OnnxFile.Load(ResNet18MlnetFiles.Find(ResNet18MlnetFiles.ModelFile, new ModelOptions())));

    [Theory]
    [InlineData(null, 224)]
    [InlineData(null, 256)]
    [InlineData("layer4", 224)]
    [InlineData("layer3", 128)]
    [InlineData("layer3", 96)]
    [InlineData("layer2.0", 160)]
    [InlineData("maxpool", 64)]
    [InlineData("ReLU333", 128)]
    public void ImportedGraph_MatchesOnnxRuntime(string? cut, int size)
    {
        var naming = new ResNet18MlnetNaming();
        using var module = new OnnxGraphModule(Model.Value, cut, naming);
        module.eval();
        var shape = new long[] { 2, 3, size, size };
        var input = new OnnxGraph([1]).RandomInput(size);
        Array.Resize(ref input, (int)shape.Aggregate(1L, (a, b) => a * b));
        var random = new Random(size);
        for (var i = 0; i < input.Length; i++)
        {
            // Inputs on the scale the model sees: 0-255 minus the mean.
            input[i] = (float)((random.NextDouble() * 255) - 120);
        }

        var expected = OnnxReference.Run(OnnxReference.Prune(Model.Value, module.Output), module.InputName, input, shape)[module.Output];
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var actual = module.forward(tensor(input, shape));

        Assert.Equal(expected.Shape, actual.shape);
        var error = OnnxReference.RelativeError(actual, expected.Values);
        Assert.True(error <= 1e-4, $"cut {cut ?? "(graph output)"} at {size}x{size}: relative error {error:E2}");
    }

    [Fact]
    public void Naming_GivesTorchvisionStyleParameterNames_InTorchvisionOrder()
    {
        using var module = new OnnxGraphModule(Model.Value, "layer4", new ResNet18MlnetNaming());

        var names = module.named_parameters().Select(p => p.name).ToList();

        Assert.Equal("conv1.weight", names[0]);
        Assert.Equal(["bn1.weight", "bn1.bias", "layer1.0.conv1.weight"], names.Skip(1).Take(3));
        Assert.Contains("layer4.2.bn2.bias", names);
        Assert.True(names.IndexOf("layer2.0.bn2.bias") < names.IndexOf("layer2.0.downsample.0.weight"));
        Assert.Equal((2 + 2 + 2 + 3) * 6 + 3 * 3 + 3, names.Count);
    }
}
