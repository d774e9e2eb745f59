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
    /// <summary>The rows: a measurement, whether more is better, and the work per image in FLOPs (null: not a rate).</summary>
    /// <summary>The rows ONNX Runtime runs too: the inference-only paths.</summary>
    private static readonly HashSet<string> InferenceOnly = ["network_images_per_s", "extract_images_per_s", "predict_ms"];

    private static readonly (string Key, string Label, bool HigherIsBetter, Func<Flops, double>? Work)[] Paths =
    [
        ("network_images_per_s", "network alone, images/s", true, f => f.Base),
        ("extract_images_per_s", "Extract (decode+resize+network, cold), images/s", true, f => f.Base),
        ("features_epoch_samples_per_s", "epoch on cached features, samples/s", true, f => 3 * f.Head),
        ("augmented_epoch_images_per_s", "epoch, augmentation, frozen base, images/s", true, f => f.Base + (3 * f.Head)),
        ("finetune_epoch_images_per_s", "fine-tuning epoch (layer3 trains), images/s", true, f => f.Base + (2 * f.Layer3) + (3 * f.Head)),
        ("predict_ms", "Predict one image, ms", false, f => f.Base + f.Head),
        ("peak_rss_mb", "peak resident memory, MB", false, null),
        ("steady_rss_mb", "resident memory after the last epoch, MB", false, null),
    ];

    /// <summary>Runs both sides <paramref name="runs"/> times and prints the table.</summary>
    public static void Run(TextWriter output, int runs, int threads)
    {
        var data = Path.Combine(Repository.Root, "examples", "FashionMnist", "data");
        var self = typeof(CompareBenchmark).Assembly.Location;
        var script = Path.Combine(Repository.Root, "bench", "pytorch", "bench.py");
        var modelgen = new List<JsonObject>();
        var pytorch = new List<JsonObject>();
        var onnxRuntime = new List<JsonObject>();
        for (var run = 0; run < runs; run++)
        {
            output.WriteLine($"run {run + 1}/{runs}: ModelGen ...");
            modelgen.Add(Measure("dotnet", [self, "measure", data, threads.ToString(CultureInfo.InvariantCulture)]));
            output.WriteLine($"run {run + 1}/{runs}: PyTorch ...");
            pytorch.Add(Measure("/usr/bin/python3", [script, data, threads.ToString(CultureInfo.InvariantCulture)]));
            output.WriteLine($"run {run + 1}/{runs}: ONNX Runtime ...");
            onnxRuntime.Add(Measure("dotnet", [self, "measure-ort", data, threads.ToString(CultureInfo.InvariantCulture)]));
        }

        foreach (var side in modelgen.Concat(pytorch))
        {
            side["steady_rss_mb"] = side["rss_trace_mb"]!["finetune_epochs"]!.GetValue<double>();
        }

        var flops = NetworkFlops();
        var ceiling = Math.Max(Median(modelgen.Select(m => m["matmul_gflops"]!.GetValue<double>()).ToList()), Median(pytorch.Select(m => m["matmul_gflops"]!.GetValue<double>()).ToList()));
        output.WriteLine();
        output.WriteLine(Machine(modelgen[0]["onednn_isa"]?.GetValue<string>()));
        output.WriteLine($"ModelGen {typeof(ModelOptions).Assembly.GetName().Version} (TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}, LibTorch {__version__}) against PyTorch {pytorch[0]["torch"]} (Debian python3-torch) and ONNX Runtime {onnxRuntime[0]["onnxruntime"]}");
        output.WriteLine($"the same work on all sides: torchvision's resnet18 cut after layer3 (same layout, random weights; ONNX Runtime runs it as ModelGen's exporter writes it), 128x128 RGB from examples/FashionMnist/data/train (1,000 images),");
        output.WriteLine($"batch 32, Adam, {threads} threads (ONNX Runtime: {threads} intra-op, 1 inter-op, all graph optimisations); {runs} alternating runs per side, median [min-max];");
        output.WriteLine("ratio > 1 means ModelGen is ahead of the faster peer (PyTorch, or ONNX Runtime on the inference-only paths it runs: network, Extract, Predict)");
        output.WriteLine();
        output.WriteLine($"{"path",-50} {"ModelGen",22} {"PyTorch",22} {"ONNX Runtime",22} {"ratio",6} {"ModelGen of ceiling",20} {"ORT of ceiling",15}");
        foreach (var (key, label, higher, work) in Paths)
        {
            var ours = modelgen.Select(m => m[key]!.GetValue<double>()).ToList();
            var theirs = pytorch.Select(m => m[key]!.GetValue<double>()).ToList();
            var ort = InferenceOnly.Contains(key) ? onnxRuntime.Select(m => m[key]!.GetValue<double>()).ToList() : null;
            var peer = ort is null ? Median(theirs) : higher ? Math.Max(Median(theirs), Median(ort)) : Math.Min(Median(theirs), Median(ort));
            var ratio = higher ? Median(ours) / peer : peer / Median(ours);
            string Share(IReadOnlyList<double>? values, int width) => work is null || values is null ? new string(' ', width)
                : string.Create(CultureInfo.InvariantCulture, $"{(higher ? Median(values) : 1000 / Median(values)) * work(flops) / 1e9 / ceiling,20:P0}")[(20 - width)..];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-50} {Format(ours),22} {Format(theirs),22} {(ort is null ? "-" : Format(ort)),22} {ratio,5:0.00}x {Share(ours, 20)} {Share(ort, 15)}"));
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ceiling: {ceiling:0} GFLOP/s, the faster matrix multiply (2048x2048 fp32) of the two sides (ModelGen {Median(modelgen.Select(m => m["matmul_gflops"]!.GetValue<double>()).ToList()):0}, PyTorch {Median(pytorch.Select(m => m["matmul_gflops"]!.GetValue<double>()).ToList()):0}); "
            + $"work per image: network {flops.Base / 1e9:0.000} GFLOP (layer3 {flops.Layer3 / 1e9:0.000}), head {flops.Head / 1e6:0.0} MFLOP forward; training counts backward as twice the forward"));
        output.WriteLine("  (oneDNN's AVX-512 convolutions run faster than the BLAS multiply, so a path can pass 100%: the multiply rate is a reference, not the hardware's peak)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resident memory after each stage (run 1), ModelGen: {Trace(modelgen[0], "rss_trace_mb")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"                                        PyTorch: {Trace(pytorch[0], "rss_trace_mb")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak during each stage (run 1),          ModelGen: {Trace(modelgen[0], "peak_trace_mb")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"                                        PyTorch: {Trace(pytorch[0], "peak_trace_mb")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Predict = decode {Median(modelgen.Select(m => m["predict_decode_ms"]!.GetValue<double>()).ToList()):0.0} ms + network and head {Median(modelgen.Select(m => m["predict_network_ms"]!.GetValue<double>()).ToList()):0.0} ms (ModelGen); {Median(pytorch.Select(m => m["predict_decode_ms"]!.GetValue<double>()).ToList()):0.0} + {Median(pytorch.Select(m => m["predict_network_ms"]!.GetValue<double>()).ToList()):0.0} ms (PyTorch)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime, Predict = decode {Median(onnxRuntime.Select(m => m["predict_decode_ms"]!.GetValue<double>()).ToList()):0.0} ms + the exported model with its preprocessing {Median(onnxRuntime.Select(m => m["predict_network_ms"]!.GetValue<double>()).ToList()):0.0} ms; its process's peak memory {Median(onnxRuntime.Select(m => m["peak_rss_mb"]!.GetValue<double>()).ToList()):0} MB (inference only), after each stage (run 1): {Trace(onnxRuntime[0], "rss_trace_mb")}"));
        output.WriteLine($"PyTorch's DataLoader used {pytorch[0]["extract_workers"]}/{pytorch[0]["augmented_epoch_workers"]}/{pytorch[0]["finetune_epoch_workers"]} worker processes (extract/augmented/fine-tune; the faster of 0 and {threads}); worker memory is not in its figures");
        var generator = new StringWriter();
        GeneratorBenchmark.Quick(generator);
        var perSpec = generator.ToString().Split('\n').Single(l => l.TrimStart().StartsWith("500 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
        output.WriteLine($"generator: {perSpec} ms per spec (500 specs in one compilation; no PyTorch counterpart)");
    }

    /// <summary>The ModelGen side, in its own process: prints one JSON object.</summary>
    public static void Measure(TextWriter output, string data, int threads)
    {
        set_num_threads(threads);
        var results = new JsonObject { ["threads"] = threads, ["onednn_isa"] = OneDnnIsa.Ensure() };
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
                // Extract twice, each time with an empty feature cache: the first pays the process's one-time
                // costs (JIT of the decoders, oneDNN's kernels for the last batch's size); the second is
                // compared, as PyTorch's side also reports its faster of two passes.
                var clock = Stopwatch.StartNew();
                using (var first = model.Extract(Path.Combine(data, "train")))
                {
                    results["extract_first_images_per_s"] = first.Count / clock.Elapsed.TotalSeconds;
                }

                foreach (var file in Directory.EnumerateFiles(cache, "*.mgfeat", SearchOption.AllDirectories))
                {
                    File.Delete(file);
                }

                clock.Restart();
                using var features = model.Extract(Path.Combine(data, "train"));
                results["extract_images_per_s"] = features.Count / clock.Elapsed.TotalSeconds;
                Mark(trace, peaks, "extract");
                var history = model.Train(features, null, quiet);
                Mark(trace, peaks, "features_epochs");
                results["features_epoch_samples_per_s"] = Median(history.Epochs.Skip(1).Select(e => e.SamplesPerSecond).ToList());

                var image = Directory.GetFiles(Path.Combine(data, "train"), "*.png", SearchOption.AllDirectories).Order().First();
                results["predict_ms"] = 1000 * Median(Enumerable.Range(0, 30).Select(_ => Time(() => model.Predict(image))).Skip(5).ToList());
                results["predict_decode_ms"] = 1000 * Median(Enumerable.Range(0, 30).Select(_ => Time(() => ModelGen.Data.ImageDecoder.Decode(image, model.Backbone.Input).Dispose())).Skip(5).ToList());
                using (inference_mode())
                using (var one = randn(1, 3, 128, 128))
                {
                    results["predict_network_ms"] = 1000 * Median(Enumerable.Range(0, 30).Select(_ => Time(() => { using var scope = NewDisposeScope(); model.forward(one); })).Skip(5).ToList());
                }

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
        var history = train(model, options with { Logger = new EpochHook(() => memory.Add(Status("VmRSS:"))), Progress = ProgressMode.Lines });
        results[name + "_images_per_s"] = Median(history.Epochs.Skip(1).Select(e => e.SamplesPerSecond).ToList());
        results[name + "_rss_mb"] = memory;
    }

    /// <summary>FLOPs per image (a multiply-add counts two) from the build-time catalog: convolutions to layer3, those of layer3, the head.</summary>
    private static Flops NetworkFlops()
    {
        var layout = BackboneCatalog.Build("resnet18", new FeatureMap(3, 128, 128));
        var last = layout.LastIndexWithin(layout.IndexOf("layer3"));
        var parameters = layout.Parameters.ToDictionary(p => p.Name);
        double all = 0, layer3 = 0;
        foreach (var layer in layout.Layers.Take(last + 1).Where(l => l.Type == "Conv2d"))
        {
            var weight = parameters[layer.Name + ".weight"].Shape;
            var flops = 2.0 * layer.Output.Channels * layer.Output.Height * layer.Output.Width * weight[1] * weight[2] * weight[3];
            all += flops;
            layer3 += layer.Name.StartsWith("layer3.", StringComparison.Ordinal) ? flops : 0;
        }

        return new Flops(all, layer3, 2.0 * ((256 * 8 * 8 * 256) + (256 * 10)));
    }

    private sealed record Flops(double Base, double Layer3, double Head);

    private static double MatmulGflops()
    {
        using var a = randn(2048, 2048);
        using var b = randn(2048, 2048);
        a.mm(b).Dispose();
        var seconds = Median(Enumerable.Range(0, 5).Select(_ => Time(() => a.mm(b).Dispose())).ToList());
        return 2.0 * 2048 * 2048 * 2048 / seconds / 1e9;
    }

    /// <summary>The CPU model and its vector extensions (from /proc/cpuinfo), and what ModelGen's oneDNN guard decided (<paramref name="oneDnn"/>).</summary>
    internal static string Machine(string? oneDnn)
    {
        var lines = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").ToList() : [];
        var model = lines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "(unknown CPU)";
        var flags = lines.FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet() ?? [];
        string[] wanted = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"];
        var present = wanted.Where(flags.Contains).ToList();
        var absent = wanted.Where(f => !flags.Contains(f)).ToList();
        return $"CPU: {model}, {Environment.ProcessorCount} cores; vector extensions: {(present.Count == 0 ? "none of these" : string.Join(" ", present))}"
            + $"{(absent.Count == 0 ? "" : $" (absent: {string.Join(" ", absent)})")}; oneDNN ISA guard: {oneDnn ?? "(not reported)"}";
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

    internal static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    internal static double Median(IReadOnlyList<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Trace(JsonObject side, string key) =>
        string.Join(", ", side[key]!.AsObject().Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value!.GetValue<double>():0}")));

    private static string Format(IReadOnlyList<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(values):0.0} [{values.Min():0.0}-{values.Max():0.0}]");

    /// <summary>Records the resident memory now and its peak since the last mark, then resets the peak.</summary>
    internal static void Mark(JsonObject trace, JsonObject peaks, string stage)
    {
        trace[stage] = Status("VmRSS:");
        peaks[stage] = Status("VmHWM:");
        File.WriteAllText("/proc/self/clear_refs", "5");
    }

    private static double Status(string field) =>
        double.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}
