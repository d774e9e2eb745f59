using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// MAE, RMSE and R² of <c>task: regression</c> (issue 14) from <see cref="RegressionAccumulator"/>: per target and
/// averaged as scikit-learn's uniform average, streamed over batches, on hand-computed values; the constant-target
/// edge case follows scikit-learn's <c>r2_score</c> (1 when predicted exactly, else 0).
/// </summary>
public sealed class RegressionMetricsTests
{
    [Fact]
    public void TwoTargetsOverTwoBatches_GiveTheHandComputedFigures()
    {
        var accumulator = new RegressionAccumulator(["a", "b"]);
        // Target a: true 1.5, 2, 3; predicted 1, 2, 4. Target b: true 12, 18, 30; predicted 10, 20, 30.
        Add(accumulator, 0.5f, [[1, 10], [2, 20]], [[1.5f, 12], [2, 18]]);
        Add(accumulator, 2f, [[4, 30]], [[3, 30]]);
        var result = accumulator.ToResult(skipped: 1);

        var (a, b) = (result.PerTarget![0], result.PerTarget[1]);
        Assert.Equal("a", a.Target);
        Assert.Equal(0.5, a.MeanAbsoluteError, 12); // (0.5 + 0 + 1) / 3
        Assert.Equal(Math.Sqrt(1.25 / 3), a.RootMeanSquaredError, 12); // (0.25 + 0 + 1) / 3
        // Mean 13/6; squares about it 4/9 + 1/36 + 25/36 = 7/6; R² = 1 - 1.25 / (7/6) = -1/14: worse than the mean.
        Assert.Equal(-1 / 14.0, a.RSquared, 12);
        Assert.Equal(4 / 3.0, b.MeanAbsoluteError, 12);
        Assert.Equal(Math.Sqrt(8 / 3.0), b.RootMeanSquaredError, 12);
        Assert.Equal(1 - (8 / 168.0), b.RSquared, 12); // mean 20: squares 64 + 4 + 100
        Assert.Equal((0.5 + (4 / 3.0)) / 2, result.MeanAbsoluteError!.Value, 12);
        Assert.Equal((Math.Sqrt(1.25 / 3) + Math.Sqrt(8 / 3.0)) / 2, result.RootMeanSquaredError!.Value, 12);
        Assert.Equal(((-1 / 14.0) + (20 / 21.0)) / 2, result.RSquared!.Value, 12);
        Assert.Equal(((0.5 * 2) + 2) / 3, result.Loss, 6); // the batches' mean losses weighed by their sizes
        Assert.Equal(3, result.Count);
        Assert.Equal(1, result.Skipped);
        Assert.True(result.IsRegression);
        Assert.True(double.IsNaN(result.Accuracy)); // regression has no accuracy
        Assert.Empty(result.Classes);
    }

    [Fact]
    public void BatchSizes_DoNotChangeTheFigures()
    {
        var random = new Random(7);
        var truth = Enumerable.Range(0, 50).Select(_ => new[] { (float)(random.NextDouble() * 90) - 45 }).ToArray();
        var predicted = truth.Select(y => new[] { y[0] + (float)((random.NextDouble() * 10) - 5) }).ToArray();
        var whole = new RegressionAccumulator(["angle"]);
        Add(whole, 0, predicted, truth);
        var streamed = new RegressionAccumulator(["angle"]);
        for (var start = 0; start < 50; start += 7)
        {
            Add(streamed, 0, predicted[start..Math.Min(50, start + 7)], truth[start..Math.Min(50, start + 7)]);
        }

        // Against the two-pass textbook formulas.
        var y = truth.Select(v => (double)v[0]).ToArray();
        var p = predicted.Select(v => (double)v[0]).ToArray();
        var residual = y.Zip(p, (t, q) => (t - q) * (t - q)).Sum();
        var spread = y.Sum(t => (t - y.Average()) * (t - y.Average()));
        foreach (var metrics in new[] { whole.PerTarget()[0], streamed.PerTarget()[0] })
        {
            Assert.Equal(y.Zip(p, (t, q) => Math.Abs(t - q)).Average(), metrics.MeanAbsoluteError, 9);
            Assert.Equal(Math.Sqrt(residual / 50), metrics.RootMeanSquaredError, 9);
            Assert.Equal(1 - (residual / spread), metrics.RSquared, 9);
        }
    }

    [Fact]
    public void ConstantTarget_ScoresOneWhenPredictedExactlyAndZeroOtherwise()
    {
        // Every true value 5: Σ(y - ȳ)² = 0, so 1 - SSres/SStot is undefined; scikit-learn's r2_score
        // (force_finite=True) gives 1.0 for exact predictions and 0.0 otherwise, and so does ModelGen.
        var exact = new RegressionAccumulator(["x"]);
        Add(exact, 0, [[5], [5], [5]], [[5], [5], [5]]);
        var off = new RegressionAccumulator(["x"]);
        Add(off, 0, [[5], [6], [5]], [[5], [5], [5]]);

        Assert.Equal(1, exact.PerTarget()[0].RSquared);
        Assert.Equal(0, exact.PerTarget()[0].MeanAbsoluteError);
        Assert.Equal(0, off.PerTarget()[0].RSquared);
        Assert.Equal(1 / 3.0, off.PerTarget()[0].MeanAbsoluteError, 12);
    }

    [Fact]
    public void PredictingTheMean_ScoresZero()
    {
        var accumulator = new RegressionAccumulator(["x"]);
        Add(accumulator, 0, [[2], [2], [2], [2]], [[1], [3], [0], [4]]);

        Assert.Equal(0, accumulator.PerTarget()[0].RSquared, 12);
    }

    [Fact]
    public void NothingEvaluated_GivesUndefinedFigures()
    {
        var result = new RegressionAccumulator(["x"]).ToResult(skipped: 0);

        Assert.True(double.IsNaN(result.RSquared!.Value));
        Assert.True(double.IsNaN(result.MeanAbsoluteError!.Value));
        Assert.Equal(0, result.Count);
        Assert.Contains("r2 n/a", result.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public void WrongShapes_AreRefused()
    {
        var accumulator = new RegressionAccumulator(["a", "b"]);
        using var loss = tensor(0f);
        using var predictions = zeros(4, 1);
        using var targets = zeros(4, 2);

        var error = Assert.Throws<ArgumentException>(() => accumulator.Add(loss, predictions, targets));
        Assert.Contains("both must be [images, 2]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifierResults_HaveNoRegressionFigures()
    {
        var result = new EvaluationResult(["a", "b"], new long[,] { { 3, 1 }, { 0, 4 } }, 0.3, 0);

        Assert.False(result.IsRegression);
        Assert.Null(result.PerTarget);
        Assert.Null(result.RSquared);
        Assert.Null(result.MeanAbsoluteError);
        Assert.Null(result.RootMeanSquaredError);
        Assert.Equal(0.875, result.Accuracy);
    }

    [Fact]
    public void Table_ShowsEachTargetAndTheAverage()
    {
        var result = new EvaluationResult([new TargetMetrics("angle", 4.5, 6.25, 0.9), new TargetMetrics("scale", 0.1, 0.2, 0.5)], 300, 0.04, 0);

        var table = result.ToTable();

        Assert.StartsWith("r2 0.700  mae 2.3  rmse 3.225  loss 0.0400  images 300\n", table, StringComparison.Ordinal);
        Assert.Contains("angle", table, StringComparison.Ordinal);
        Assert.Matches(@"average\s+2\.3\s+3\.225\s+0\.700", table);
        Assert.DoesNotContain("accuracy", table, StringComparison.Ordinal);
    }

    private static void Add(RegressionAccumulator accumulator, float loss, float[][] predictions, float[][] targets)
    {
        using var lossTensor = tensor(loss);
        using var p = tensor(predictions.SelectMany(row => row).ToArray(), [predictions.Length, predictions[0].Length]);
        using var t = tensor(targets.SelectMany(row => row).ToArray(), [targets.Length, targets[0].Length]);
        accumulator.Add(lossTensor, p, t);
    }
}
