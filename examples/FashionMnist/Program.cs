using System.Diagnostics;
using System.Globalization;
using FashionMnist;
using Microsoft.Extensions.Logging;
using ModelGen;

// Fashion-MNIST (real images, examples/FashionMnist/data) on the ImageNet ResNet18 that ships with ML.NET.
//   dotnet run --project examples/FashionMnist -c Release              the full demo (a few minutes on 2 cores)
//   dotnet run --project examples/FashionMnist -c Release -- --quick   a small, fast run (used by the tests)
//   dotnet run --project examples/FashionMnist -c Release -- --seeds 3 both methods over several seeds: mean and spread
ModelGenProcess.Tune(); // process-wide: glibc's allocator set up for LibTorch's large tensors (Linux)
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
var quick = args.Contains("--quick");
var seeds = args.SkipWhile(a => a != "--seeds").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault();
var data = Path.Combine(AppContext.BaseDirectory, "data");
var output = Path.GetFullPath(args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? "fashion-output");
var demo = new Demo(data, output, quick, logging.CreateLogger("ModelGen"));
if (seeds > 0)
{
    demo.CompareOverSeeds(seeds);
}
else
{
    demo.Run();
}

/// <summary>The demo's steps; each one is the generated API a user would call. ModelGen's messages go to <paramref name="logger"/>.</summary>
internal sealed class Demo(string data, string output, bool quick, ILogger logger)
{
    private readonly TrainOptions _train = new() { OutputDirectory = null, MaxEpochsPerPhase = quick ? 2 : null };

    public void Run()
    {
        var clock = Stopwatch.StartNew();
        var (train, validation, test) = Splits();
        Console.WriteLine(FashionFeatures.Summary());

        // Method 1: extract once (cached on disk), then train the head on the features.
        using var features = FashionFeatures.Create(Options(seed: null));
        using var trainFeatures = features.Extract(train);
        using var validationFeatures = features.Extract(validation);
        features.Train(trainFeatures, validationFeatures, Run("features"));
        var method1 = features.Evaluate(test);
        Console.WriteLine($"Method 1 (features, frozen layer3): test accuracy {method1.Accuracy:0.000}");
        Console.WriteLine(method1.ToTable());
        features.Save(Path.Combine(output, "fashion-features.mgmodel"));

        // Head first on cached features, then layer3 fine-tuned with augmentation.
        using var fineTuned = FashionFineTuned.Create(Options(seed: null));
        fineTuned.Train(train, validation, Run("fine-tuned"));
        // The test set's report: the same page as each run's report.html, on images the model never saw.
        var method3 = fineTuned.Evaluate(test, reportPath: Path.Combine(output, "fine-tuned", "test-report.html"));
        Console.WriteLine($"Head then fine-tuned layer3: test accuracy {method3.Accuracy:0.000}");
        fineTuned.Save(Path.Combine(output, "fashion-fine-tuned.mgmodel"));

        // The seed's point about the cut: far from ImageNet, earlier features transfer better.
        using var layer4 = FashionLayer4Features.Create(Options(seed: null));
        using var train4 = layer4.Extract(train);
        using var validation4 = layer4.Extract(validation);
        layer4.Train(train4, validation4, Run("layer4", checkpoints: false) with { Progress = ProgressMode.None }); // its spec: checkpoints: none
        var cutAt4 = layer4.Evaluate(test);
        Console.WriteLine($"Cut at layer3: {method1.Accuracy:0.000} test accuracy; cut at layer4: {cutAt4.Accuracy:0.000} (features {string.Join("x", FashionFeatures.FeatureShape)} vs {string.Join("x", FashionLayer4Features.FeatureShape)})");

        var sample = Directory.GetFiles(Path.Combine(test, "sneaker")).Order().First();
        var prediction = fineTuned.Predict(sample);
        Console.WriteLine($"Predict {Path.GetFileName(sample)}: {prediction.Label} ({prediction.Confidence:P1})");
        Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0}s. Outputs, all under {output}:");
        Console.WriteLine("  features/, fine-tuned/, layer4/   each run's report.html, history.csv, history.json, curves.png (and checkpoints/, the trained layers only)");
        Console.WriteLine("  fine-tuned/test-report.html   the fine-tuned model on the test images");
        Console.WriteLine("  fashion-features.mgmodel, fashion-fine-tuned.mgmodel   the trained models");
        Console.WriteLine("  feature-cache/   extracted features, reused by the next run");
        Console.WriteLine($"Open {Path.Combine(output, "fine-tuned", "report.html")} in a browser: how the model did, the images it gets wrong and where it looks.");
    }

    public void CompareOverSeeds(int count)
    {
        var (train, validation, test) = Splits();
        var method1 = new List<double>();
        var twoPhase = new List<double>();
        for (var seed = 1; seed <= count; seed++)
        {
            var quiet = Run(Path.Combine("seeds", seed.ToString(CultureInfo.InvariantCulture))) with { Progress = ProgressMode.None };
            using (var features = FashionFeatures.Create(Options(seed)))
            {
                using var trainFeatures = features.Extract(train);
                using var validationFeatures = features.Extract(validation);
                features.Train(trainFeatures, validationFeatures, quiet);
                method1.Add(features.Evaluate(test).Accuracy);
            }

            using (var fineTuned = FashionFineTuned.Create(Options(seed)))
            {
                fineTuned.Train(train, validation, quiet with { CheckpointDirectory = Path.Combine(output, "checkpoints", "seeds-fine-tuned", seed.ToString(CultureInfo.InvariantCulture)) });
                twoPhase.Add(fineTuned.Evaluate(test).Accuracy);
            }

            Console.WriteLine($"seed {seed}: method 1 {method1[^1]:0.000}, head then fine-tuned {twoPhase[^1]:0.000}");
        }

        Console.WriteLine($"method 1:                {Describe(method1)}");
        Console.WriteLine($"head then fine-tuned:    {Describe(twoPhase)}");
    }

    private static string Describe(List<double> values)
    {
        var mean = values.Average();
        var spread = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1));
        return string.Create(CultureInfo.InvariantCulture, $"mean {mean:0.000}, std {spread:0.000}, min {values.Min():0.000}, max {values.Max():0.000} over {values.Count} seeds");
    }

    /// <summary>One folder per training run under the output folder: its report, curves, history and (when the spec keeps them) checkpoints.</summary>
    private TrainOptions Run(string name, bool checkpoints = true) =>
        _train with { OutputDirectory = Path.Combine(output, name), CheckpointDirectory = checkpoints ? Path.Combine(output, name, "checkpoints") : null };

    private ModelOptions Options(int? seed) => new() { Seed = seed, CacheDirectory = Path.Combine(output, "feature-cache"), Logger = logger };

    private (string Train, string Validation, string Test) Splits()
    {
        if (!quick)
        {
            return (Path.Combine(data, "train"), Path.Combine(data, "val"), Path.Combine(data, "test"));
        }

        // The quick run: a few images per class.
        var root = Path.Combine(output, "quick-data");
        foreach (var (split, count) in new[] { ("train", 12), ("val", 4), ("test", 4) })
        {
            foreach (var label in Directory.GetDirectories(Path.Combine(data, split)))
            {
                var target = Directory.CreateDirectory(Path.Combine(root, split, Path.GetFileName(label))).FullName;
                foreach (var file in Directory.GetFiles(label).Order().Take(count))
                {
                    File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
                }
            }
        }

        return (Path.Combine(root, "train"), Path.Combine(root, "val"), Path.Combine(root, "test"));
    }
}
