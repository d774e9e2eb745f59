using System.Diagnostics;
using System.Globalization;
using ModelGen.Data;

namespace ModelGen.Benchmarks;

/// <summary>
/// Whole-pipeline throughput on the real Fashion-MNIST mini images with resnet18_mlnet cut at layer3,
/// 128x128: Extract (decode, resize, network; cold cache) and training epochs on images with augmentation
/// through the frozen base, with resident memory after epochs 1 and 10.
/// </summary>
public static class PipelineBenchmark
{
    public static void Run(TextWriter output, int epochs)
    {
        var data = Path.Combine(Repository.Root, "examples", "FashionMnist", "data");
        var cache = Directory.CreateTempSubdirectory("modelgen-bench-cache-").FullName;
        try
        {
            using var model = PipelineBench.Create(new ModelOptions { CacheDirectory = cache, Device = TorchSharp.torch.CPU });
            output.WriteLine($"threads: torch {TorchSharp.torch.get_num_threads()}, cores {Environment.ProcessorCount}");

            // Extract with a cold cache: decode + resize + network for 1,000 images.
            var clock = Stopwatch.StartNew();
            using (var features = model.Extract(Path.Combine(data, "train")))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extract (cold cache): {features.Count} images in {clock.Elapsed.TotalSeconds:0.00}s = {features.Count / clock.Elapsed.TotalSeconds:0.0} images/s"));
            }

            // Training on images with augmentation, frozen base: one line per epoch with resident memory.
            var rss = new List<double>();
            var history = model.Train(Path.Combine(data, "train"), null, new TrainOptions
            {
                MaxEpochsPerPhase = epochs,
                Progress = ProgressMode.Lines,
                Logger = new EpochHook(() =>
                {
                    using var process = Process.GetCurrentProcess();
                    rss.Add(process.WorkingSet64 / 1024.0 / 1024.0);
                }),
                OutputDirectory = Path.Combine(cache, "out"),
            });
            for (var i = 0; i < history.Epochs.Count; i++)
            {
                var e = history.Epochs[i];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch,2}: {e.SamplesPerSecond,6:0.0} images/s  rss {rss.ElementAtOrDefault(i),6:0} MB"));
            }

            var steady = history.Epochs.Skip(1).Select(e => e.SamplesPerSecond).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"augmented epoch (frozen base): median {steady.Order().ElementAt(steady.Count / 2):0.0} images/s over epochs 2-{history.Epochs.Count}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resident memory: after epoch 1 {rss.First():0} MB, after epoch {rss.Count} {rss.Last():0} MB"));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
