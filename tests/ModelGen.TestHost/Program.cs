using System.Globalization;
using Microsoft.Extensions.Logging;
using ModelGen;
using ModelGen.Backbones;
using ModelGen.Data;
using ModelGen.Weights;
using ModelGen.TestHost;
using static TorchSharp.torch;

// Commands (each prints what the test checks):
//   train <train dir> <checkpoint dir> <output dir> [resume]   trains Resumable; prints "epochs N" at the end
//   train-exact <model> <train dir> <checkpoint dir> <output dir> <phase> <epoch> [resume]
//                                                                trains ResumableExact or ResumableWarmup; writes <output dir>/state-<phase>-<epoch>.txt
//                                                                (StateDump) as that epoch (from 0) starts, and final-weights.txt
//                                                                at the end; prints "epochs N"
//   decode <image dir>                                           reads every image; prints skipped count and peak RSS
//   write-cache <cache dir> <key> <megabytes>                    writes one large feature-cache entry
//   import-onnx <folder>                                         imports and runs every .onnx graph of the folder on zeros of its
//                                                                declared input shape; prints "<file> ran", "<file> refused <message>"
//                                                                or "<file> escaped <exception type>: <message>", then the peak RSS
//   heap                                                         tunes the allocator (ModelGenProcess.Tune), runs a 32 MiB-output
//                                                                convolution 6 times; prints whether the allocator is tuned,
//                                                                the page faults of each round, and how much NativeHeap.Release
//                                                                gave back
//   heap-model <image dir> <output dir>                         creates a model and trains it an epoch per phase on the images,
//                                                                then runs the convolution as "heap" does, before and after
//                                                                ModelGenProcess.Tune; prints both
//   download <folder> <file name> <base url>                    downloads an official-style weights file (testnet-<sha256 prefix>.pth)
//                                                                from the base URL into the folder; prints "downloaded <path>"
switch (args.FirstOrDefault())
{
    case "train":
        {
            // What a user sees on the console: ModelGen's messages through a console logger.
            using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
            var logger = logging.CreateLogger("ModelGen");
            using var model = Resumable.Create(new ModelOptions { Device = CPU, CacheDirectory = Path.Combine(args[3], "cache"), Logger = logger });
            var history = model.Train(args[1], null, new TrainOptions
            {
                CheckpointDirectory = args[2],
                OutputDirectory = args[3],
                Resume = args.Length > 4 && args[4] == "resume",
                Progress = ProgressMode.Lines,
                Logger = logger,
            });
            logging.Dispose(); // flushes the console logger's queue before the last line
            Console.WriteLine($"epochs {history.Epochs.Count}");
            break;
        }

    case "train-exact":
        {
            // What the exact-resume test compares: the state an epoch starts with, and the final weights.
            using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
            var logger = logging.CreateLogger("ModelGen");
            var epoch = int.Parse(args[6], CultureInfo.InvariantCulture);
            using var dump = StateDump.At(Path.Combine(args[4], $"state-{args[5]}-{epoch}.txt"), args[5], epoch);
            var modelOptions = new ModelOptions { Device = CPU, CacheDirectory = Path.Combine(args[4], "cache"), Logger = logger };
            var trainOptions = new TrainOptions
            {
                CheckpointDirectory = args[3],
                OutputDirectory = args[4],
                Resume = args.Length > 7 && args[7] == "resume",
                Progress = ProgressMode.Lines,
                Logger = logger,
            };
            var (history, weights) = args[1] switch
            {
                nameof(ResumableExact) => TrainExact(ResumableExact.Create(modelOptions), m => m.Train(args[2], null, trainOptions)),
                nameof(ResumableWarmup) => TrainExact(ResumableWarmup.Create(modelOptions), m => m.Train(args[2], null, trainOptions)),
                _ => throw new ArgumentException($"train-exact knows ResumableExact and ResumableWarmup, not {args[1]}"),
            };
            File.WriteAllText(Path.Combine(args[4], "final-weights.txt"), weights);
            logging.Dispose();
            Console.WriteLine($"epochs {history.Epochs.Count}");
            break;
        }

    case "decode":
        {
            var folder = ImageFolder.Open(args[1]);
            var input = new ImageInput(64, 64, 3, Preprocessing.ImageNet);
            var decoded = 0;
            foreach (var batch in ImageBatches.Read(folder, input, batchSize: 4))
            {
                decoded += batch.Count;
            }

            Console.WriteLine($"decoded {decoded} skipped {folder.Skipped} peak-rss-kb {PeakRssKilobytes()}");
            break;
        }

    case "write-cache":
        {
            var megabytes = int.Parse(args[3], CultureInfo.InvariantCulture);
            var rows = megabytes * 1024 * 1024 / 4 / 1024;
            using var set = new FeatureSet(rand(rows, 1024, 1, 1), zeros(rows, dtype: ScalarType.Int64), ["a"], 0);
            Console.WriteLine("writing");
            Console.Out.Flush();
            FeatureCache.Store(args[1], args[2], set);
            Console.WriteLine("written");
            break;
        }

    case "import-onnx":
        {
            foreach (var file in Directory.GetFiles(args[1], "*.onnx").Order(StringComparer.Ordinal))
            {
                Console.WriteLine($"{Path.GetFileName(file)} {HostileOnnx.Import(file)}");
            }

            Console.WriteLine($"peak-rss-kb {PeakRssKilobytes()}");
            break;
        }

    case "download":
        {
            var weights = new OfficialWeights("testnet", args[2], 0, 0);
            var path = WeightsDownload.Fetch(weights, args[1], new DownloadSettings { BaseUrl = args[3], Progress = ProgressMode.Lines }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            Console.WriteLine($"downloaded {path}");
            break;
        }

    case "heap":
        {
            var tuned = ModelGenProcess.Tune();
            var faults = ConvolutionFaults();
            var resident = ResidentKilobytes();
            NativeHeap.Release();
            Console.WriteLine($"tuned {tuned} because {NativeHeap.KeptDefaultsBecause() ?? "-"} faults {string.Join(",", faults)} released-kb {resident - ResidentKilobytes()}");
            break;
        }

    case "heap-model":
        {
            using (var model = Resumable.Create(new ModelOptions { Device = CPU, CacheDirectory = Path.Combine(args[2], "cache") }))
            {
                model.Train(args[1], null, new TrainOptions { OutputDirectory = args[2], CheckpointDirectory = Path.Combine(args[2], "checkpoints"), MaxEpochsPerPhase = 1 });
                _ = model.Evaluate(args[1]);
            }

            Console.WriteLine($"after-model tuned {NativeHeap.IsTuned} faults {string.Join(",", ConvolutionFaults())}");
            var tuned = ModelGenProcess.Tune();
            Console.WriteLine($"after-tune tuned {tuned} {NativeHeap.IsTuned} because {NativeHeap.KeptDefaultsBecause() ?? "-"} faults {string.Join(",", ConvolutionFaults())}");
            break;
        }

    default:
        Console.Error.WriteLine("usage: train | train-exact | decode | write-cache | import-onnx | heap | heap-model");
        return 2;
}

return 0;

// Trains a model and returns its history and final weights (StateDump.Weights).
static (TrainingHistory History, string Weights) TrainExact<TModel>(TModel model, Func<TModel, TrainingHistory> train)
    where TModel : nn.Module
{
    using (model)
    {
        var history = train(model);
        return (history, StateDump.Weights(model));
    }
}

// resnet18's first convolution on 32 images of 128x128: a 32 MiB output (and as much again inside oneDNN),
// allocated and freed in each of 6 rounds; the page faults of each round.
static List<long> ConvolutionFaults()
{
    using var images = randn(32, 3, 128, 128);
    using var weight = randn(64, 3, 7, 7);
    var faults = new List<long>();
    for (var round = 0; round < 6; round++)
    {
        var before = MinorFaults();
        using (var scope = NewDisposeScope())
        using (inference_mode())
        {
            nn.functional.conv2d(images, weight, strides: [2, 2], padding: [3, 3]);
        }

        faults.Add(MinorFaults() - before);
    }

    return faults;
}

static long PeakRssKilobytes() =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).Single();

static long ResidentKilobytes() =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).Single();

// Field 10 of /proc/self/stat (after the parenthesised command name): minor page faults.
static long MinorFaults() =>
    long.Parse(File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[7], CultureInfo.InvariantCulture);
