using System.Diagnostics;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelGen.Data;
using ModelGen.Export;
using ModelGen.Inference;
using static TorchSharp.torch;

namespace ModelGen.Benchmarks;

/// <summary>
/// The third column of <c>compare</c>: ONNX Runtime on the inference-only paths, in a process of its own. The network is
/// CompareFeatures' (torchvision's resnet18 cut after layer3, random weights), exported once by ModelGen's exporter and
/// run with the same intra-op thread count, inter-op 1 and every graph optimisation; images are decoded and resized by
/// ModelGen's decoder, as on ModelGen's side.
/// </summary>
public static class OnnxRuntimeSide
{
    /// <summary>Prints one JSON object: network alone, Extract, Predict (with its parts) and the memory marks.</summary>
    public static void Measure(TextWriter output, string data, int threads)
    {
        set_num_threads(threads);
        var results = new JsonObject { ["threads"] = threads, ["onnxruntime"] = typeof(InferenceSession).Assembly.GetName().Version?.ToString() };
        var trace = new JsonObject();
        var peaks = new JsonObject();
        results["rss_trace_mb"] = trace;
        results["peak_trace_mb"] = peaks;
        var cache = Directory.CreateTempSubdirectory("modelgen-compare-ort-").FullName;
        try
        {
            CompareBenchmark.Mark(trace, peaks, "start");
            var options = new ModelOptions { Device = CPU, CacheDirectory = cache, InferenceEngine = InferenceEngine.OnnxRuntime };
            using var model = CompareFeatures.Create(options);
            model.eval();
            CompareBenchmark.Mark(trace, peaks, "model");

            // The same session Extract uses (made here, so that its export and optimisation are not in Extract's time
            // twice: the first Extract below pays them, as ModelGen's first pays its one-time costs).
            var session = OnnxRuntimeBackbone.For(model.Backbone, threads);
            CompareBenchmark.Mark(trace, peaks, "session");
            using (var batch = randn(32, 3, 128, 128))
            {
                results["network_images_per_s"] = 32 / CompareBenchmark.Median(Enumerable.Range(0, 9).Select(_ => CompareBenchmark.Time(() => session.Run(batch).Dispose())).Skip(1).ToList());
            }

            CompareBenchmark.Mark(trace, peaks, "network");
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
            using (var features = model.Extract(Path.Combine(data, "train")))
            {
                results["extract_images_per_s"] = features.Count / clock.Elapsed.TotalSeconds;
            }

            CompareBenchmark.Mark(trace, peaks, "extract");

            // Predict as a .NET service would run the exported model: decoded RGB in [0, 1] into the whole graph
            // (preprocessing, backbone, head, softmax), exported once by ModelGen.
            var exported = Path.Combine(cache, "compare.onnx");
            model.ExportOnnx(exported);
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var whole = new InferenceSession(exported, sessionOptions);
            var image = Directory.GetFiles(Path.Combine(data, "train"), "*.png", SearchOption.AllDirectories).Order().First();
            var input = model.Backbone.Input;
            float[] Predict(float[] pixels)
            {
                using var value = OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, input.Height, input.Width]);
                using var outputs = whole.Run(new RunOptions(), ["image"], [value], ["probabilities"]);
                return outputs[0].GetTensorDataAsSpan<float>().ToArray();
            }

            results["predict_ms"] = 1000 * CompareBenchmark.Median(Enumerable.Range(0, 30).Select(_ => CompareBenchmark.Time(() => Predict(ImageDecoder.DecodePixels(image, input)))).Skip(5).ToList());
            results["predict_decode_ms"] = 1000 * CompareBenchmark.Median(Enumerable.Range(0, 30).Select(_ => CompareBenchmark.Time(() => ImageDecoder.DecodePixels(image, input))).Skip(5).ToList());
            var decoded = ImageDecoder.DecodePixels(image, input);
            results["predict_network_ms"] = 1000 * CompareBenchmark.Median(Enumerable.Range(0, 30).Select(_ => CompareBenchmark.Time(() => Predict(decoded))).Skip(5).ToList());
            CompareBenchmark.Mark(trace, peaks, "predict");
            results["peak_rss_mb"] = peaks.Max(p => p.Value!.GetValue<double>());
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }

        output.WriteLine(results.ToJsonString());
    }
}
