using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OnnxExport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

// 1. Train with ModelGen on real Fashion-MNIST bags and sneakers, and export to ONNX.
ModelGen.ModelGenProcess.Tune(); // process-wide: glibc's allocator set up for LibTorch's large tensors (Linux)
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
var data = Path.Combine(AppContext.BaseDirectory, "data");
var output = Path.GetFullPath(args.FirstOrDefault() ?? "onnx-export-output");
var onnxPath = Path.Combine(output, "bags-or-sneakers.onnx");
var test = Directory.GetFiles(Path.Combine(data, "test"), "*.png", SearchOption.AllDirectories).Order().ToList();
IReadOnlyList<float>[] modelGenProbabilities;
using (var model = BagsOrSneakers.Create(new ModelGen.ModelOptions { CacheDirectory = Path.Combine(output, "cache"), Logger = logging.CreateLogger("ModelGen") }))
{
    using var features = model.Extract(Path.Combine(data, "train"));
    model.Train(features, null, new ModelGen.TrainOptions { OutputDirectory = output, Progress = ModelGen.ProgressMode.None });
    model.ExportOnnx(onnxPath);
    modelGenProbabilities = test.Select(path => model.Predict(path).Probabilities).ToArray();
}

Console.WriteLine($"exported {onnxPath} ({new FileInfo(onnxPath).Length / 1024 / 1024} MB)");

// 2. ONNX Runtime alone: plain pixels in, probabilities and the class names (from the metadata) out.
using var session = new InferenceSession(onnxPath);
var classes = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["modelgen.classes"])!;
var agree = 0;
for (var i = 0; i < test.Count; i++)
{
    var image = Pixels(test[i], 64);
    using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", image)]);
    var probabilities = results.First(r => r.Name == "probabilities").AsTensor<float>().ToArray();
    var best = probabilities[1] > probabilities[0] ? 1 : 0;
    var difference = probabilities.Zip(modelGenProbabilities[i], (a, b) => Math.Abs(a - b)).Max();
    agree += difference < 1e-4 ? 1 : 0;
    Console.WriteLine($"{Path.GetFileName(Path.GetDirectoryName(test[i]))}/{Path.GetFileName(test[i])}: {classes[best]} ({probabilities[best]:P1}); ModelGen's Predict differs by {difference:E1}");
}

Console.WriteLine($"ONNX Runtime and ModelGen agree on {agree} of {test.Count} images (to 1e-4).");
return agree == test.Count ? 0 : 1;

// RGB in [0, 1], [1, 3, size, size]: the exported graph does the rest of the preprocessing itself.
static DenseTensor<float> Pixels(string path, int size)
{
    using var image = Image.Load<Rgb24>(path);
    image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle }));
    var tensor = new DenseTensor<float>([1, 3, size, size]);
    for (var y = 0; y < size; y++)
    {
        for (var x = 0; x < size; x++)
        {
            var pixel = image[x, y];
            tensor[0, 0, y, x] = pixel.R / 255f;
            tensor[0, 1, y, x] = pixel.G / 255f;
            tensor[0, 2, y, x] = pixel.B / 255f;
        }
    }

    return tensor;
}
