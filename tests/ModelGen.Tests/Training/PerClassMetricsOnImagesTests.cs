using System.Globalization;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// Per-class metrics of a generated model on real Fashion-MNIST images (issue 14): Evaluate's ROC AUC is that of the
/// probabilities Predict gives image by image, the report shows the same numbers, and history.json / history.csv hold
/// the validation data's per-class figures and macro averages after every epoch.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class PerClassMetricsOnImagesTests
{
    [Fact]
    public void Evaluate_HistoryAndReport_ShareTheFiguresOfThePredictedProbabilities()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 30, temp["train"]);
        var test = FashionData.Subset(FashionData.Test, perClass: 12, temp["test"]);
        using var model = TinyMetrics.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        using var trainFeatures = model.Extract(train);
        using var validationFeatures = model.Extract(FashionData.Validation);
        var history = model.Train(trainFeatures, validationFeatures, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.None });

        var result = model.Evaluate(test);
        var reported = model.Evaluate(test, reportPath: temp["report.html"]);

        // ROC AUC from the probabilities Predict gives for each test image, by counting pairs.
        var predictions = FashionData.Classes
            .SelectMany((label, index) => Directory.GetFiles(Path.Combine(test, label)).Select(file => (Label: index, model.Predict(file).Probabilities)))
            .ToList();
        for (var c = 0; c < FashionData.Classes.Count; c++)
        {
            var scores = predictions.Select(p => p.Probabilities[c]).ToArray();
            var positive = predictions.Select(p => p.Label == c).ToArray();
            Assert.Equal(RocAucTests.PairCount(scores, positive), result.RocAuc(c), 3);
            Assert.Equal(result.RocAuc(c), reported.RocAuc(c), 3);
            Assert.Equal(result.F1(c), reported.F1(c), 3);
        }

        // It learned: chance is 0.5 (measured 0.951, accuracy 0.567, after 3 epochs on 300 images).
        Assert.True(result.MacroRocAuc > 0.85, $"macro ROC AUC {result.MacroRocAuc:0.000} (accuracy {result.Accuracy:0.000})");

        // The report's per-class table and figures are the result's.
        var html = File.ReadAllText(temp["report.html"]);
        foreach (var c in reported.PerClass)
        {
            Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"<td class=\"name\">{c.Class}</td><td>{c.Precision:0.000}</td><td>{c.Recall:0.000}</td><td>{c.F1:0.000}</td><td>{c.RocAuc:0.000}</td><td>{c.Support}</td>"), html);
        }

        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"<b>{reported.MacroRocAuc:0.000}</b>macro ROC AUC"), html);

        // Every epoch keeps the validation data's per-class figures; the last is the trained model's on the validation images.
        Assert.Equal(3, history.Epochs.Count);
        Assert.All(history.Epochs, e =>
        {
            Assert.Equal(FashionData.Classes, e.ValPerClass!.Select(c => c.Class));
            Assert.Equal(e.ValPerClass!.Average(c => c.F1), e.ValMacroF1!.Value, 12);
            Assert.Equal(e.ValPerClass!.Average(c => c.RocAuc), e.ValMacroRocAuc!.Value, 12);
            Assert.Equal(300, e.ValPerClass!.Sum(c => c.Support));
        });
        var validation = model.Evaluate(FashionData.Validation);
        Assert.Equal(validation.PerClass.Select(c => c.RocAuc), history.Last!.ValPerClass!.Select(c => c.RocAuc), new NearComparer(1e-3));
        Assert.Equal(validation.PerClass.Select(c => c.Recall), history.Last!.ValPerClass!.Select(c => c.Recall), new NearComparer(1e-3));

        // history.json round-trips them; history.csv has the macro averages.
        var read = TrainingHistory.FromJson(File.ReadAllText(temp["out/history.json"]));
        Assert.Equal(history.Epochs.Select(e => e.ValPerClass), read.Epochs.Select(e => e.ValPerClass), new SequenceComparer());
        Assert.Equal(history.Epochs.Select(e => e.ValMacroRocAuc), read.Epochs.Select(e => e.ValMacroRocAuc));
        var csv = File.ReadAllLines(temp["out/history.csv"]);
        Assert.EndsWith(",val_macro_f1,val_macro_roc_auc", csv[0], StringComparison.Ordinal);
        Assert.Equal(history.Last!.ValMacroRocAuc!.Value, double.Parse(csv[^1].Split(',')[^1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void BinaryHead_GivesBothClassesTheAucOfTheSigmoid_OnRealImages()
    {
        // A one-sigmoid head told sandals ("no") from sneakers ("yes").
        using var temp = new TempFolder();
        var train = TwoClasses(FashionData.Train, 30, temp["train"]);
        var test = TwoClasses(FashionData.Test, 20, temp["test"]);
        using var model = TinyBinaryBalanced.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        using var features = model.Extract(train);
        model.Train(features, null, new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.None });

        var result = model.Evaluate(test);

        var predictions = new[] { "no", "yes" }
            .SelectMany((label, index) => Directory.GetFiles(Path.Combine(test, label)).Select(file => (Label: index, model.Predict(file).Probabilities)))
            .ToList();
        var yes = RocAucTests.PairCount(predictions.Select(p => p.Probabilities[1]).ToArray(), predictions.Select(p => p.Label == 1).ToArray());
        Assert.Equal(yes, result.RocAuc(1), 3);
        Assert.Equal(result.RocAuc(1), result.RocAuc(0));
        Assert.Equal(40, result.PerClass.Sum(c => c.Support));
    }

    private static string TwoClasses(string split, int perClass, string into)
    {
        foreach (var (from, to) in new[] { ("sandal", "no"), ("sneaker", "yes") })
        {
            var target = Directory.CreateDirectory(Path.Combine(into, to)).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(split, from)).Order(StringComparer.Ordinal).Take(perClass))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        return into;
    }

    [Fact]
    public void HistoryJson_WritesAnUndefinedAucAsNull_AndReadsItBackAsNaN()
    {
        var history = new TrainingHistory();
        history.Add(new EpochResult("train", 1, 0.5, 0.5, 0.6, 0.5, 0.01, 1, 10)
        {
            ValPerClass = [new ClassMetrics("a", 3, 0.5, 1, 2 / 3.0, 0.75), new ClassMetrics("b", 0, 0, 0, 0, double.NaN)],
            ValMacroF1 = 1 / 3.0,
            ValMacroRocAuc = 0.75,
        });
        history.Add(new EpochResult("train", 2, 0.5, 0.5, 0.6, 0.5, 0.01, 1, 10) { ValPerClass = [new ClassMetrics("b", 0, 0, 0, 0, double.NaN)], ValMacroF1 = 0, ValMacroRocAuc = double.NaN });
        history.Add(new EpochResult("train", 3, 0.5, 0.5, null, null, 0.01, 1, 10));

        var json = history.ToJson();
        var read = TrainingHistory.FromJson(json);

        Assert.Contains("\"roc_auc\": null", json, StringComparison.Ordinal);
        Assert.Contains("\"roc_auc\": 0.75", json, StringComparison.Ordinal);
        Assert.Equal(history.Epochs[0].ValPerClass, read.Epochs[0].ValPerClass!);
        Assert.True(double.IsNaN(read.Epochs[0].ValPerClass![1].RocAuc));
        Assert.Null(read.Epochs[1].ValMacroRocAuc); // undefined for every class: null in JSON
        Assert.Null(read.Epochs[2].ValPerClass);
        Assert.Equal(["1,0.75", "2,NaN", "3,"], history.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..].Select(row => $"{row.Split(',')[1]},{row.Split(',')[^1]}"));
        Assert.Equal(["n/a", "0.750"], new[] { double.NaN, 0.75 }.Select(EvaluationResult.Text));
    }

    private sealed class NearComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    private sealed class SequenceComparer : IEqualityComparer<IReadOnlyList<ClassMetrics>?>
    {
        public bool Equals(IReadOnlyList<ClassMetrics>? x, IReadOnlyList<ClassMetrics>? y) => x is null ? y is null : y is not null && x.SequenceEqual(y);

        public int GetHashCode(IReadOnlyList<ClassMetrics>? obj) => 0;
    }
}
