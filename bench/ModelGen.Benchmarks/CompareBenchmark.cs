using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGen.Generators.Catalog;
using static TorchSharp.torch;

namespace ModelGen.Benchmarks;

/// <summary>
/// ModelGen against PyTorch on the same machine, in one run: the same network (torchvision's resnet18 cut
/// after layer3), the same images, sizes, batch and thread count. Each side runs in its own process, the
/// two alternating, several times; the table shows the median of each side, the ratio, and the spread.
/// </summary>
public static class CompareBenchmark
{
    private static readonly (string Key, string Label, bool HigherIsBetter, string Unit)[] Paths =
    [
        ("network_images_per_s", "network alone (inference)", true, "images/s"),
        ("extract_images_per_s", "Extract: decode + resize + network, cold cache", true, "images/s"),
        ("features_epoch_samples_per_s", "training epoch on cached features", true, "samples/s"),
        ("augmented_epoch_images_per_s", "epoch on images, augmentation, frozen base", true, "images/s"),
        ("finetune_epoch_images_per_s", "fine-tuning epoch (layer3 trains), augmentation", true, "images/s"),
        ("predict_ms", "Predict, one image (latency)", false, "ms"),
        ("peak_rss_mb", "peak resident memory", false, "MB"),
    ];

    /// <summary>Runs both sides <paramref name="runs"/> times and prints the table.</summary>
    public static void Run(TextWriter output, int runs, int threads)
    {
        var data = Path.Combine(Repository.Root, "examples", "FashionMnist", "data");
        var self = typeof(CompareBenchmark).Assembly.Location;
        var script = Path.Combine(Repository.Root, "bench", "pytorch", "bench.py");
        var modelgen = new List<JsonObject>();
        var pytorch = new List<JsonObject>();
        for (var run = 0; run < runs; run++)
        {
            output.WriteLine($"run {run + 1}/{runs}: ModelGen ...");
            modelgen.Add(Measure("dotnet", [self, "measure", data, threads.ToString(CultureInfo.InvariantCulture)]));
            output.WriteLine($"run {run + 1}/{runs}: PyTorch ...");
            pytorch.Add(Measure("/usr/bin/python3", [script, data, threads.ToString(CultureInfo.InvariantCulture)]));
        }

        var flops = NetworkFlops();
        output.WriteLine();
        output.WriteLine($"ModelGen {typeof(ModelOptions).Assembly.GetName().Version} (TorchSharp, LibTorch {__version__}) vs PyTorch {pytorch[0]["torch"]}: resnet18 to layer3 (torchvision layout, same on both sides), 128x128, batch 32, {threads} threads, {runs} alternating runs each; median [min-max]");
        output.WriteLine($"{"path",-50} {"ModelGen",20} {"PyTorch",20} {"ratio",6}");
        foreach (var (key, label, higher, unit) in Paths)
        {
            var ours = modelgen.Select(m => m[key]!.GetValue<double>()).ToList();
            var theirs = pytorch.Select(m => m[key]!.GetValue<double>()).ToList();
            var ratio = higher ? Median(ours) / Median(theirs) : Median(theirs) / Median(ours);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-50} {Format(ours, unit),20} {Format(theirs, unit),20} {ratio,5:0.00}x"));
        }

        var matmul = Median(modelgen.Select(m => m["matmul_gflops"]!.GetValue<double>()).ToList());
        var network = Median(modelgen.Select(m => m["network_images_per_s"]!.GetValue<double>()).ToList());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ceiling: matrix multiply {matmul:0} GFLOP/s (ModelGen) / {Median(pytorch.Select(m => m["matmul_gflops"]!.GetValue<double>()).ToList()):0} GFLOP/s (PyTorch); the network is {flops / 1e9:0.00} GFLOP per image, so inference runs at {network * flops / 1e9:0} GFLOP/s = {network * flops / 1e9 / matmul:P0} of the multiply rate"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resident memory per epoch (augmented, ModelGen run 1): {string.Join(", ", modelgen[0]["augmented_epoch_rss_mb"]!.AsArray().Select(v => v!.GetValue<double>().ToString("0", CultureInfo.InvariantCulture)))} MB; PyTorch: {string.Join(", ", pytorch[0]["augmented_epoch_rss_mb"]!.AsArray().Select(v => v!.GetValue<double>().ToString("0", CultureInfo.InvariantCulture)))} MB"));
        var generator = new StringWriter();
        GeneratorBenchmark.Quick(generator);
        var perSpec = generator.ToString().Split('\n').Single(l => l.TrimStart().StartsWith("500 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        output.WriteLine($"generator: {perSpec} ms per spec (500 specs in one compilation; no PyTorch counterpart)");
    }

    /// <summary>The ModelGen side, in its own process: prints one JSON object.</summary>
    public static void Measure(TextWriter output, string data, int threads)
    {
        set_num_threads(threads);
        var results = new JsonObject { ["threads"] = threads };
        var trace = new JsonObject();
        var peaks = new JsonObject();
        results["rss_trace_mb"] = trace;
        results["peak_trace_mb"] = peaks;
        var cache = Directory.CreateTempSubdirectory("modelgen-compare-").FullName;
        var quiet = new TrainOptions { Progress = ProgressMode.None, OutputDirectory = Path.Combine(cache, "out") };
        var options = new ModelOptions { Device = CPU, CacheDirectory = cache };
        try
        {
            Mark(trace, peaks, "start");
            results["matmul_gflops"] = MatmulGflops();
            Mark(trace, peaks, "torch");
            using (var model = CompareFeatures.Create(options))
            {
                model.eval();
                Mark(trace, peaks, "model");
                using (inference_mode())
                using (var batch = randn(32, 3, 128, 128))
                {
                    results["network_images_per_s"] = 32 / Median(Enumerable.Range(0, 9).Select(_ => Time(() => { using var scope = NewDisposeScope(); model.Backbone.forward(batch); })).Skip(1).ToList());
                }

                Mark(trace, peaks, "network");
                var clock = Stopwatch.StartNew();
                using var features = model.Extract(Path.Combine(data, "train"));
                results["extract_images_per_s"] = features.Count / clock.Elapsed.TotalSeconds;
                Mark(trace, peaks, "extract");
                var history = model.Train(features, null, quiet);
                Mark(trace, peaks, "features_epochs");
                results["features_epoch_samples_per_s"] = Median(history.Epochs.Skip(1).Select(e => e.SamplesPerSecond).ToList());

                var image = Directory.GetFiles(Path.Combine(data, "train"), "*.png", SearchOption.AllDirectories).Order().First();
                results["predict_ms"] = 1000 * Median(Enumerable.Range(0, 30).Select(_ => Time(() => model.Predict(image))).Skip(5).ToList());
                Mark(trace, peaks, "predict");
            }

            Epochs(results, "augmented_epoch", () => CompareAugmented.Create(options), (m, o) => ((CompareAugmented)m).Train(Path.Combine(data, "train"), null, o), quiet);
            Mark(trace, peaks, "augmented_epochs");
            Epochs(results, "finetune_epoch", () => CompareFineTune.Create(options), (m, o) => ((CompareFineTune)m).Train(Path.Combine(data, "train"), null, o), quiet);
            Mark(trace, peaks, "finetune_epochs");
            results["peak_rss_mb"] = peaks.Max(p => p.Value!.GetValue<double>());
            results["rss_mb"] = Status("VmRSS:");
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }

        output.WriteLine(results.ToJsonString());
    }

    private static void Epochs(JsonObject results, string name, Func<IDisposable> create, Func<IDisposable, TrainOptions, TrainingHistory> train, TrainOptions options)
    {
        using var model = create();
        var memory = new JsonArray();
        var history = train(model, options with { Log = new EpochMemory(memory), Progress = ProgressMode.Lines });
        results[name + "_images_per_s"] = Median(history.Epochs.Skip(1).Select(e => e.SamplesPerSecond).ToList());
        results[name + "_rss_mb"] = memory;
    }

    /// <summary>Network FLOPs per image (multiply-adds count two) from the build-time catalog.</summary>
    private static double NetworkFlops()
    {
        var layout = BackboneCatalog.Build("resnet18", new FeatureMap(3, 128, 128));
        var last = layout.LastIndexWithin(layout.IndexOf("layer3"));
        double flops = 0;
        var parameters = layout.Parameters.ToDictionary(p => p.Name);
        foreach (var layer in layout.Layers.Take(last + 1).Where(l => l.Type == "Conv2d"))
        {
            var weight = parameters[layer.Name + ".weight"].Shape;
            flops += 2.0 * layer.Output.Channels * layer.Output.Height * layer.Output.Width * weight[1] * weight[2] * weight[3];
        }

        return flops;
    }

    private static double MatmulGflops()
    {
        using var a = randn(2048, 2048);
        using var b = randn(2048, 2048);
        a.mm(b).Dispose();
        var seconds = Median(Enumerable.Range(0, 5).Select(_ => Time(() => a.mm(b).Dispose())).ToList());
        return 2.0 * 2048 * 2048 * 2048 / seconds / 1e9;
    }

    private static JsonObject Measure(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = text.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        return line is null
            ? throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} gave no measurements (exit {process.ExitCode}):\n{text}\n{error.Result}")
            : JsonNode.Parse(line)!.AsObject();
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(IReadOnlyList<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Format(IReadOnlyList<double> values, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(values):0.0} [{values.Min():0.0}-{values.Max():0.0}]");

    /// <summary>Records the resident memory now and its peak since the last mark, then resets the peak.</summary>
    private static void Mark(JsonObject trace, JsonObject peaks, string stage)
    {
        trace[stage] = Status("VmRSS:");
        peaks[stage] = Status("VmHWM:");
        File.WriteAllText("/proc/self/clear_refs", "5");
    }

    private static double Status(string field) =>
        double.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;

    /// <summary>Records the resident memory whenever an epoch line is written.</summary>
    private sealed class EpochMemory(JsonArray memory) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (value is not null && value.Contains(" epoch ", StringComparison.Ordinal) && value.Contains("loss", StringComparison.Ordinal))
            {
                memory.Add(Status("VmRSS:"));
            }
        }
    }
}
