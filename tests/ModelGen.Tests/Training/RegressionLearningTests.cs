using System.Globalization;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using ModelGen.Training;
using Regression;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <c>task: regression</c> learns on real images (issue 14): Fashion-MNIST images turned by a random angle in
/// [-45°, 45°] (seeded), the angle predicted from cached ResNet18 features by a generated model, to an R² the test
/// states, where always predicting the training mean scores about 0.
/// </summary>
public sealed class RegressionLearningTests(ITestOutputHelper output)
{
    [Fact]
    public void RotationAngle_IsLearnedFromRealImages()
    {
        using var temp = new TempFolder();
        var train = RotatedImages.Build(FashionData.Train, temp["train"], perClass: 40, maxDegrees: 45, seed: 1);
        var validation = RotatedImages.Build(FashionData.Validation, temp["val"], perClass: 10, maxDegrees: 45, seed: 2);
        var test = RotatedImages.Build(FashionData.Test, temp["test"], perClass: 20, maxDegrees: 45, seed: 3);
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU };
        using var model = FashionRotation.Create(options);

        var history = model.Train(train, validation, new TrainOptions { Progress = ProgressMode.None, OutputDirectory = temp["out"] });
        var result = model.Evaluate(test);
        output.WriteLine(result.ToTable());

        // Measured: R² 0.886, MAE 6.26°, RMSE 8.70° on the 200 test images. Predicting the training mean for every
        // image scores R² about 0 and an MAE of about 22.5° (uniform angles in ±45°).
        Assert.True(result.RSquared > 0.8, $"test R² {result.RSquared:0.000}, MAE {result.MeanAbsoluteError:0.00}°");
        Assert.True(result.MeanAbsoluteError < 9, $"test MAE {result.MeanAbsoluteError:0.00}°");
        Assert.Equal(200, result.Count);
        Assert.True(double.IsNaN(result.Accuracy));
        Assert.InRange(ConstantPredictorRSquared(train, test), -0.05, 0);

        // The history records the mean absolute error where a classifier's records accuracy, and validation R².
        Assert.Equal(30, history.Epochs.Count);
        Assert.True(history.Epochs[^1].MeanAbsoluteError < history.Epochs[0].MeanAbsoluteError);
        Assert.NotNull(history.Epochs[^1].ValRSquared);
        Assert.StartsWith("phase,epoch,loss,mae,val_loss,val_mae,val_rmse,val_r2,", File.ReadAllText(Path.Combine(temp["out"], "history.csv")), StringComparison.Ordinal);

        // Predict returns the typed record; a saved and loaded model predicts the same.
        var (path, angle) = FirstRow(test);
        var prediction = model.Predict(path);
        Assert.IsType<FashionRotationPrediction>(prediction);
        Assert.True(Math.Abs(prediction.Angle - angle) < 30, $"predicted {prediction.Angle:0.0}° for {angle:0.0}°");
        model.Save(temp["model.mgmodel"]);
        using var loaded = FashionRotation.Load(temp["model.mgmodel"], options);
        Assert.Equal(prediction, loaded.Predict(path));
    }

    // R² of always predicting the mean training angle: 0 on the training set by definition, about 0 (slightly below) on another set.
    private static double ConstantPredictorRSquared(string trainManifest, string testManifest)
    {
        var mean = Angles(trainManifest).Average();
        var truth = Angles(testManifest).ToArray();
        var accumulator = new RegressionAccumulator(["angle"]);
        using var loss = tensor(0f);
        using var predictions = full(truth.Length, 1, (float)mean);
        using var targets = tensor(truth.Select(a => (float)a).ToArray(), [truth.Length, 1]);
        accumulator.Add(loss, predictions, targets);
        return accumulator.PerTarget()[0].RSquared;
    }

    private static IEnumerable<double> Angles(string manifest) =>
        File.ReadAllLines(manifest).Skip(1).Select(line => double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture));

    private static (string Path, double Angle) FirstRow(string manifest)
    {
        var row = File.ReadAllLines(manifest)[1].Split(',');
        return (Path.Combine(Path.GetDirectoryName(manifest)!, row[0]), double.Parse(row[1], CultureInfo.InvariantCulture));
    }
}
