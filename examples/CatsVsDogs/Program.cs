using Microsoft.Extensions.Logging;
using ModelGen;
using ModelGen.Weights;
using Pets;
using TorchSharp;

// The seed's three setups on cats and dogs (VGG16 at 150x150, as in the classic recipe).
//   dotnet run --project examples/CatsVsDogs -c Release -- <data folder>   with train/validation/test folders of cat/ and dog/
//   dotnet run --project examples/CatsVsDogs -c Release -- --quick         a tiny generated image set, one epoch per phase
ModelGenProcess.Tune(); // process-wide: glibc's allocator set up for LibTorch's large tensors (Linux)
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
var quick = args.Contains("--quick");
var root = quick ? QuickData.Create() : args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal));
if (root is null || !Directory.Exists(Path.Combine(root, "train")))
{
    Console.WriteLine(CatsVsDogsFeatures.Summary());
    Console.WriteLine("Give the folder that holds train/, validation/ and test/ (each with cat/ and dog/), or --quick. See README.md.");
    return;
}

var options = new ModelOptions { CacheDirectory = Path.Combine(root, "feature-cache"), Logger = logging.CreateLogger("ModelGen") };
if (quick && !HasImageNetVgg16())
{
    // The quick run exercises the code, not the accuracy, and never downloads: without the ImageNet file
    // already in the weights folder it says so and uses random weights. A real run downloads the official
    // file on first use (528 MiB, once; see README.md).
    options = options with { WeightsPath = QuickData.RandomVgg16Weights(root) };
    Console.WriteLine($"quick run: no ImageNet VGG16 weights in {WeightsLocator.ImageNetFolder}; using random weights to run every code path.");
}

static bool HasImageNetVgg16()
{
    try
    {
        WeightsLocator.ImageNet("vgg16"); // looks in the weights folder only; never downloads
        return true;
    }
    catch (WeightsException)
    {
        return false;
    }
}

// Each setup's history, curves and report.html (open it in a browser) in its own folder under output/.
string outputs = Path.Combine(root, "output"), checkpoints = Path.Combine(root, "checkpoints");
TrainOptions Run(string setup) => new() { MaxEpochsPerPhase = quick ? 1 : null, OutputDirectory = Path.Combine(outputs, setup), CheckpointDirectory = Path.Combine(checkpoints, setup) };
string Report(string setup) => Path.Combine(outputs, setup, "report.html");
string train = Path.Combine(root, "train"), validation = Path.Combine(root, "validation"), test = Path.Combine(root, "test");

// 1. Feature extraction: the frozen base runs once, a dense classifier trains on the cached features.
using (var model = CatsVsDogsFeatures.Create(options))
{
    using var trainFeatures = model.Extract(train);
    using var validationFeatures = model.Extract(validation);
    model.Train(trainFeatures, validationFeatures, Run("features"));
    Console.WriteLine($"1. feature extraction: test accuracy {model.Evaluate(test).Accuracy:0.000}; report: {Report("features")}");
}

// 2. The frozen base inside the model, trained end to end with data augmentation.
using (var model = CatsVsDogsAugmented.Create(options))
{
    model.Train(train, validation, Run("augmented"));
    Console.WriteLine($"2. frozen base with augmentation: test accuracy {model.Evaluate(test).Accuracy:0.000}; report: {Report("augmented")}");
}

// 3. Fine-tuning: the head first, then block5 unfrozen at a learning rate of 1e-5.
using (var model = CatsVsDogsFineTuned.Create(options))
{
    model.Train(train, validation, Run("fine-tuned"));
    var testReport = Path.Combine(outputs, "fine-tuned", "test-report.html");
    var evaluation = model.Evaluate(test, reportPath: testReport);
    Console.WriteLine($"3. fine-tuning from block5_conv1: test accuracy {evaluation.Accuracy:0.000}; report: {Report("fine-tuned")}, on the test images: {testReport}");
    var sample = Directory.GetFiles(Path.Combine(test, "dog")).Order().First();
    var prediction = model.Predict(sample);
    Console.WriteLine($"{Path.GetFileName(sample)}: {prediction.Label} ({prediction.Confidence:P0})");
}

/// <summary>The quick run's data: small generated pictures of "cats" (light discs) and "dogs" (dark squares).</summary>
internal static class QuickData
{
    public static string Create()
    {
        var root = Directory.CreateTempSubdirectory("catsvsdogs-quick-").FullName;
        var random = new Random(7);
        foreach (var (split, count) in new[] { ("train", 6), ("validation", 2), ("test", 2) })
        {
            foreach (var label in new[] { "cat", "dog" })
            {
                var folder = Directory.CreateDirectory(Path.Combine(root, split, label)).FullName;
                for (var i = 0; i < count; i++)
                {
                    using var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(150, 150);
                    var cx = random.Next(40, 110);
                    var cy = random.Next(40, 110);
                    for (var y = 0; y < 150; y++)
                    {
                        for (var x = 0; x < 150; x++)
                        {
                            var inside = label == "cat" ? ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) < 900 : Math.Abs(x - cx) < 30 && Math.Abs(y - cy) < 30;
                            var value = (byte)(inside ? (label == "cat" ? 230 : 30) : 128);
                            image[x, y] = new SixLabors.ImageSharp.PixelFormats.Rgb24(value, value, value);
                        }
                    }

                    SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, Path.Combine(folder, $"{label}.{i}.png"));
                }
            }
        }

        return root;
    }

    /// <summary>VGG16's convolutional base with fresh random weights, saved where ModelOptions.WeightsPath can find it.</summary>
    public static string RandomVgg16Weights(string root)
    {
        var path = Path.Combine(root, "vgg16-random.dat");
        // torchvision's VGG16 with fresh weights: its state_dict keys (features.N.weight, classifier...) are
        // what ModelGen reads from a weights file.
        using var vgg16 = torchvision.models.vgg16();
        vgg16.save(path);

        return path;
    }
}

