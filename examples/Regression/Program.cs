using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ModelGen;
using Regression;

// task: regression on real images: Fashion-MNIST images (the FashionMnist example's) turned by a random angle in
// ±45°, and a model that predicts the angle.
//   dotnet run --project examples/Regression -c Release              the full run (about a minute on 2 cores)
//   dotnet run --project examples/Regression -c Release -- --quick   fewer images and epochs (used by the tests)
ModelGenProcess.Tune(); // process-wide: glibc's allocator set up for LibTorch's large tensors (Linux)
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(console => console.SingleLine = true));
var quick = args.Contains("--quick");
var output = Path.GetFullPath(args.SkipWhile(a => a != "--output").Skip(1).FirstOrDefault() ?? "regression-output");
var clock = Stopwatch.StartNew();

// The data: each split's images turned by seeded random angles, written as PNGs with a manifest path,angle.
var fashion = Path.Combine(AppContext.BaseDirectory, "fashion");
var (perClass, epochs) = quick ? (10, 5) : (40, 30);
var train = RotatedImages.Build(Path.Combine(fashion, "train"), Path.Combine(output, "data", "train"), perClass, maxDegrees: 45, seed: 1);
var validation = RotatedImages.Build(Path.Combine(fashion, "val"), Path.Combine(output, "data", "val"), perClass: 10, maxDegrees: 45, seed: 2);
var test = RotatedImages.Build(Path.Combine(fashion, "test"), Path.Combine(output, "data", "test"), perClass: 20, maxDegrees: 45, seed: 3);
Console.WriteLine($"Data: {train}, {validation}, {test}");

var options = new ModelOptions { CacheDirectory = Path.Combine(output, "feature-cache"), Logger = logging.CreateLogger("ModelGen") };
using var model = RotationAngle.Create(options);
Console.WriteLine(RotationAngle.Summary());
model.Train(train, validation, new TrainOptions { OutputDirectory = Path.Combine(output, "training"), MaxEpochsPerPhase = epochs });

// A regression has no accuracy: R² (1 is perfect, 0 is always guessing the mean angle), MAE and RMSE in degrees.
var result = model.Evaluate(test, reportPath: Path.Combine(output, "test-report.html"));
Console.WriteLine($"Rotation angle: test R² {result.RSquared:0.000}, MAE {result.MeanAbsoluteError:0.0}°, RMSE {result.RootMeanSquaredError:0.0}°");
Console.WriteLine(result.ToTable());

var first = File.ReadLines(test).Skip(1).First().Split(',');
var prediction = model.Predict(Path.Combine(Path.GetDirectoryName(test)!, first[0]));
Console.WriteLine($"Predict {first[0]}: {prediction.Angle:0.0}° (turned by {first[1]}°)");
model.Save(Path.Combine(output, "rotation-angle.mgmodel"));
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0}s. Outputs under {output}: data/ (the rotated images and manifests), training/ (report.html, history, curves), test-report.html, rotation-angle.mgmodel");
