using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Onnx;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;

namespace ModelGen.Tests.Onnx;

/// <summary>
/// A spec with resnet18_mlnet, weights: imagenet, cut at layer3: the generated model's Extract gives the
/// features ONNX Runtime computes on the same images with the package's own preprocessing model.
/// </summary>
public sealed class ResNet18MlnetSpecTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-mlnet-").FullName;

    [Fact]
    public void GeneratedExtract_MatchesOnnxRuntimeOnRealImages()
    {
        var images = FashionData.Subset(FashionData.Test, perClass: 1, Path.Combine(_folder, "images"));
        using var model = FashionLayer3.Create(new ModelOptions { CacheDirectory = Path.Combine(_folder, "cache"), Device = TorchSharp.torch.CPU });

        using var features = model.Extract(images);

        Assert.Equal([10, 256, 14, 14], features.Features.shape);
        Assert.Equal(FashionLayer3.FeatureShape, features.SampleShape);
        var folder = ImageFolder.Open(images, FashionLayer3.DeclaredClasses);
        var input = new ImageInput(224, 224, 1, Preprocessing.ImageNet);
        using var preprocess = new InferenceSession(ResNet18MlnetFiles.Find(ResNet18MlnetFiles.PreprocessFile, new ModelOptions()));
        using var network = new InferenceSession(OnnxReference.Prune(OnnxFile.Load(ResNet18MlnetFiles.Find(ResNet18MlnetFiles.ModelFile, new ModelOptions())), "ReLU347_Output_0").ToByteArray());
        for (var i = 0; i < folder.Count; i++)
        {
            // The package's pipeline: RGB pixels 0-255 → ResNetPreprocess.onnx → ResNet18.onnx.
            var pixels = new float[3 * 224 * 224];
            Assert.Null(ImageDecoder.TryDecode(folder.Samples[i].Path, input, pixels));
            var rgb255 = new DenseTensor<float>(pixels.Select(p => p * 255f).ToArray(), [1, 3, 224, 224]);
            using var prepared = preprocess.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", rgb255)]);
            using var output = network.Run([NamedOnnxValue.CreateFromTensor("Input247", prepared.First().AsTensor<float>())]);
            var expected = output.First().AsTensor<float>().ToArray();

            using var actual = features.Features[i];
            var error = OnnxReference.RelativeError(actual, expected);
            Assert.True(error <= 1e-4, $"image {i}: relative error {error:E2}");
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
