using ModelGen.Onnx;
using static TorchSharp.torch;

namespace ModelGen.Backbones;

/// <summary>
/// Where <c>resnet18_mlnet</c>'s files come from: ResNet18.onnx and ResNetPreprocess.onnx of the NuGet
/// package Microsoft.ML.DnnImageFeaturizer.ResNet18, which restores with ModelGen. The build copies them
/// to <c>modelgen/resnet18_mlnet/</c> in the output folder; the NuGet cache is the fallback.
/// </summary>
internal static class ResNet18MlnetFiles
{
    /// <summary>The package that ships the model.</summary>
    public const string Package = "microsoft.ml.dnnimagefeaturizer.resnet18";

    /// <summary>Its version.</summary>
    public const string PackageVersion = "0.23.1";

    /// <summary>The model file's name.</summary>
    public const string ModelFile = "ResNet18.onnx";

    /// <summary>The preprocessing model's name (it holds the mean image).</summary>
    public const string PreprocessFile = "ResNetPreprocess.onnx";

    /// <summary>The folder in the build output that holds both files.</summary>
    public static string OutputFolder => Path.Combine(AppContext.BaseDirectory, "modelgen", "resnet18_mlnet");

    /// <summary>The folders searched, in order.</summary>
    public static IEnumerable<string> SearchFolders(ModelOptions options)
    {
        if (options.WeightsPath is { Length: > 0 } overridePath)
        {
            yield return File.Exists(overridePath) ? Path.GetDirectoryName(Path.GetFullPath(overridePath))! : overridePath;
        }

        yield return OutputFolder;
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var tools = Path.Combine(packages, Package, PackageVersion, "tools", "DnnImageModels");
        yield return Path.Combine(tools, "ResNet18Onnx");
        yield return Path.Combine(tools, "ResNetPrepOnnx");
    }

    /// <summary>The path of a file, or an error that says where it was looked for.</summary>
    /// <exception cref="Weights.WeightsException">The file is in none of the folders.</exception>
    public static string Find(string file, ModelOptions options)
    {
        var folders = SearchFolders(options).ToList();
        return folders.Select(f => Path.Combine(f, file)).FirstOrDefault(File.Exists)
            ?? throw new Weights.WeightsException(
                $"resnet18_mlnet's {file} was not found (looked in {string.Join(", ", folders)}). It ships in the NuGet package "
                + $"Microsoft.ML.DnnImageFeaturizer.ResNet18 {PackageVersion}, which restores with ModelGen: build the project once (dotnet build), "
                + "or set ModelOptions.WeightsPath to a folder holding ResNet18.onnx and ResNetPreprocess.onnx.");
    }

    /// <summary>
    /// The model's preprocessing: BGR, 0-255, minus the 224x224 mean image of ResNetPreprocess.onnx. For other
    /// input sizes the mean image is resized bilinearly to the input size (it is smooth, close to a
    /// per-channel mean, so resizing keeps its meaning).
    /// </summary>
    public static Preprocessing Preprocessing(ModelOptions options)
    {
        var model = OnnxFile.Load(Find(PreprocessFile, options));
        var mean = model.Graph.Initializer.FirstOrDefault(t => t.Name == "MeanImage")
            ?? throw new OnnxImportException($"{PreprocessFile} has no MeanImage; it is not the file from Microsoft.ML.DnnImageFeaturizer.ResNet18.");
        var image = OnnxTensors.ToTensor(mean);
        var perImage = image.dim() == 4 ? image.squeeze(0) : image;
        using var channelMeans = perImage.mean([1, 2]);
        return new Preprocessing(ChannelOrder.Bgr, 255f, channelMeans.data<float>().ToArray(), [1f, 1f, 1f], perImage);
    }
}
