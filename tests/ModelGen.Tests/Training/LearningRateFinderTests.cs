using ModelGen.Tests.Infrastructure;
using ModelGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The learning-rate range test's arithmetic (issue 14): the rates are the exponential formula, the smoothing is
/// fastai's bias-corrected moving average, the suggestion is the steepest descent of the smoothed loss, the test stops
/// once the smoothed loss exceeds 4 times its minimum, and the module and optimizer are put back exactly.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class LearningRateFinderTests
{
    [Fact]
    public void Rates_AreStartTimesTheRatioToTheStepOverStepsLessOne()
    {
        Assert.Equal([1e-3, 1e-2, 1e-1], LearningRateRange.Rates(1e-3, 1e-1, 3), new RelativeComparer(1e-12));

        var rates = LearningRateRange.Rates(1e-7, 10, 100);
        Assert.Equal(100, rates.Length);
        Assert.Equal(1e-7, rates[0]);
        Assert.Equal(10, rates[^1]);
        for (var i = 0; i < rates.Length; i++)
        {
            Assert.Equal(1e-7 * Math.Pow(1e8, i / 99.0), rates[i], new RelativeComparer(1e-12));
        }
    }

    [Fact]
    public void Smoothing_IsTheBiasCorrectedMovingAverage()
    {
        // β = 0.5 on 2, 1, 3: a = 1, 1, 2; divided by 1 − 0.5, 1 − 0.25, 1 − 0.125.
        Assert.Equal([2.0, 4.0 / 3.0, 16.0 / 7.0], LearningRateRange.Smooth([2, 1, 3], 0.5), new RelativeComparer(1e-12));

        // β = 0.98 on 1, 0.5: a = 0.02, 0.0296; divided by 0.02, 0.0396.
        Assert.Equal([1.0, 0.0296 / 0.0396], LearningRateRange.Smooth([1, 0.5], 0.98), new RelativeComparer(1e-12));

        // β = 0: no smoothing.
        Assert.Equal([3.0, 1.0, 2.0], LearningRateRange.Smooth([3, 1, 2], 0));
    }

    [Fact]
    public void Suggestion_IsWhereTheSmoothedLossFallsFastest_AgainstTheLogOfTheRate()
    {
        // A synthetic curve: a logistic step from 2.3 down to 0.3 centred at lr 1e-3 (steepest there), then a rise from lr 0.1 on.
        var rates = LearningRateRange.Rates(1e-7, 10, 100);
        var losses = rates.Select(r => 0.3 + (2.0 / (1 + Math.Exp(-3 * (-3 - Math.Log10(r))))) + (r > 0.1 ? 5 * Math.Log10(r / 0.1) : 0)).ToArray();

        var index = LearningRateRange.SteepestDescent(rates, losses, plannedSteps: 100);

        Assert.NotNull(index);
        var slopes = Enumerable.Range(0, 99).Select(k => (losses[k + 1] - losses[k]) / Math.Log(rates[k + 1] / rates[k])).ToArray();
        Assert.Equal(Array.IndexOf(slopes, slopes.Min()), index); // the one steepest segment, where the loss falls
        Assert.InRange(Math.Log10(rates[index!.Value]), -3.1, -2.9);
    }

    [Fact]
    public void Suggestion_LeavesOutTheFirstTenthAndTheLastFiveSteps_AndIsNullWhenTheLossNeverFalls()
    {
        var rates = LearningRateRange.Rates(1e-4, 1, 30);

        // Drops of 1 at segment 1 (inside the first tenth, 3 steps), of 0.1 at segment 12, of 0.8 at segment 27 (inside the last five).
        var losses = Enumerable.Range(0, 30).Select(i => i < 2 ? 2.0 : i < 13 ? 1.0 : i < 28 ? 0.9 : 0.1).ToArray();
        Assert.Equal(12, LearningRateRange.SteepestDescent(rates, losses, plannedSteps: 30));

        Assert.Null(LearningRateRange.SteepestDescent(rates, rates.Select(r => 1 + r).ToArray(), plannedSteps: 30));
    }

    [Fact]
    public void EveryStepTrainsAtItsRate_WithTheSmoothedLossOfItsSteps()
    {
        // loss = w, so SGD's step lowers w by exactly the step's rate: the loss of step i is w0 − the sum of the rates before it.
        using var module = new Scalar(1000);
        using var optimizer = optim.SGD(module.parameters(), 0.5);
        using var temp = new TempFolder();
        var options = new LearningRateFinderOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None };

        LearningRateFinding finding;
        using (var finder = LearningRateFinder.Start(module, "Scalar", options, seed: 1))
        {
            finding = finder.Run(optimizer, _ => Enumerable.Range(0, 7), _ => module.Weight.sum());
        }

        var rates = LearningRateRange.Rates(1e-7, 10, 100);
        Assert.Equal(100, finding.Steps.Count);
        Assert.False(finding.StoppedEarly);
        Assert.Equal(rates, finding.Steps.Select(s => s.LearningRate));
        var expected = rates.Select((_, i) => 1000 - rates.Take(i).Sum()).ToArray();
        Assert.Equal(expected, finding.Steps.Select(s => s.Loss), new AbsoluteComparer(1e-3)); // float32 weights
        Assert.Equal(LearningRateRange.Smooth(finding.Steps.Select(s => s.Loss), 0.98), finding.Steps.Select(s => s.SmoothedLoss));
        Assert.Equal(1000f, module.Weight.item<float>()); // put back
        Assert.Equal(0.5, optimizer.ParamGroups.Single().LearningRate);
    }

    [Fact]
    public void TheTestStops_OnceTheSmoothedLossExceedsFourTimesItsMinimum()
    {
        // Least squares with plain SGD diverges once the rate passes 2 / (largest eigenvalue of the Hessian).
        using var model = nn.Linear(2, 1);
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        using var x = tensor(new float[] { 1, 2, -1, 0.5f, 2, -2, 0.3f, 1 }, [4, 2]);
        using var y = tensor(new float[] { 3, -1, 4, 1 }, [4, 1]);
        using var temp = new TempFolder();

        LearningRateFinding finding;
        using (var finder = LearningRateFinder.Start(model, "Linear", new LearningRateFinderOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None }, seed: 1))
        {
            finding = finder.Run(optimizer, _ => new[] { 0 }, _ => nn.functional.mse_loss(model.call(x), y));
        }

        var smoothed = finding.Steps.Select(s => s.SmoothedLoss).ToArray();
        Assert.True(finding.StoppedEarly);
        Assert.InRange(smoothed.Length, 20, 99);
        Assert.True(smoothed[^1] > 4 * smoothed.Min(), $"last {smoothed[^1]}, minimum {smoothed.Min()}");
        for (var i = 0; i < smoothed.Length - 1; i++)
        {
            Assert.True(smoothed[i] <= 4 * smoothed.Take(i + 1).Min(), $"step {i + 1} had diverged already");
        }

        using var unlimited = LearningRateFinder.Start(model, "Linear", new LearningRateFinderOptions { OutputDirectory = temp.Path, Progress = ProgressMode.None, DivergenceFactor = double.PositiveInfinity }, seed: 1);
        var all = unlimited.Run(optimizer, _ => new[] { 0 }, _ => nn.functional.mse_loss(model.call(x), y));
        Assert.True(all.Steps.Count > smoothed.Length, $"{all.Steps.Count} steps without the divergence stop, {smoothed.Length} with it");
    }

    [Fact]
    public void ALossThatIsNotANumber_StopsTheTest_AndIsNotRecorded()
    {
        using var module = new Scalar(1);
        using var optimizer = optim.SGD(module.parameters(), 0.1);
        using var temp = new TempFolder();
        var calls = 0;
        var log = new CapturingLogger();

        LearningRateFinding finding;
        using (var finder = LearningRateFinder.Start(module, "Scalar", new LearningRateFinderOptions { OutputDirectory = temp.Path, Progress = ProgressMode.Lines, Logger = log }, seed: 1))
        {
            finding = finder.Run(optimizer, _ => new[] { 0 }, _ => ++calls == 5 ? module.Weight.sum() * double.NaN : (module.Weight.sum() * 0) + calls);
        }

        Assert.True(finding.StoppedEarly);
        Assert.Equal(4, finding.Steps.Count);
        Assert.Equal([1.0, 2.0, 3.0, 4.0], finding.Steps.Select(s => s.Loss));
        Assert.Equal(5, (int)Assert.Single(log.Of(LogEvents.LearningRateFinderStoppedEarly))["Step"]!);
        Assert.Single(log.Of(LogEvents.LearningRateFinderNoSuggestion)); // a rising loss never falls
        Assert.Null(finding.SuggestedLearningRate);
    }

    [Fact]
    public void TheModuleAndTheOptimizer_AreExactlyAsBefore()
    {
        using var model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("bn", nn.BatchNorm1d(8)), ("relu", nn.ReLU()), ("drop", nn.Dropout(0.5)), ("fc2", nn.Linear(8, 3)));
        using var x = randn(16, 4);
        using var labels = randint(0, 3, [16]);
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        for (var i = 0; i < 3; i++)
        {
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.call(x), labels).backward();
            optimizer.step();
        }

        // A state to keep: fc1 frozen, the batch norm in evaluation mode, gradients left from the last step.
        var fc1 = model.named_modules().Single(m => m.name == "fc1").module;
        foreach (var p in fc1.parameters())
        {
            p.requires_grad = false;
        }

        model.train();
        model.named_modules().Single(m => m.name == "bn").module.eval();
        var before = Describe(model, optimizer);
        using var temp = new TempFolder();

        using (var finder = LearningRateFinder.Start(model, "Mlp", new LearningRateFinderOptions { Steps = 30, OutputDirectory = temp.Path, Progress = ProgressMode.None }, seed: 3))
        {
            foreach (var p in model.parameters())
            {
                p.requires_grad = true; // as the generated code freezes for its phase
            }

            var finding = finder.Run(optimizer, _ => new[] { 0, 1 }, _ => nn.functional.cross_entropy(model.call(x), labels));
            Assert.Equal(30, finding.Steps.Count);
            Assert.NotEqual(before.Weights, StateBytes.Of(model)); // it did train
        }

        var after = Describe(model, optimizer);
        Assert.Equal(before.Weights, after.Weights);
        Assert.Equal(before.Frozen, after.Frozen);
        Assert.Equal(before.Modes, after.Modes);
        Assert.Equal(before.Gradients, after.Gradients);
        Assert.Equal(before.Random, after.Random);
        Assert.Equal(before.Optimizer, after.Optimizer);
        Assert.Equal(1e-3, optimizer.ParamGroups.Single().LearningRate);
    }

    [Fact]
    public void ThePlot_IsAPngOfTheStatedSize()
    {
        var steps = LearningRateRange.Rates(1e-6, 1, 40).Select((r, i) => new LearningRateStep(i + 1, r, 2 - (0.04 * i), 2 - (0.03 * i))).ToList();

        using var image = SixLabors.ImageSharp.Image.Load(LearningRateFinderPlot.Render(steps, 1e-3, "Synthetic"));

        Assert.Equal((LearningRateFinderPlot.Width, LearningRateFinderPlot.Height), (image.Width, image.Height));
    }

    [Theory]
    [InlineData(0, 10, 100, 0.98, 4, "StartLearningRate")]
    [InlineData(1e-3, 1e-3, 100, 0.98, 4, "EndLearningRate")]
    [InlineData(1e-7, 10, 1, 0.98, 4, "Steps")]
    [InlineData(1e-7, 10, 100, 1, 4, "Smoothing")]
    [InlineData(1e-7, 10, 100, 0.98, 1, "DivergenceFactor")]
    public void OptionsOutOfRange_AreRefusedByName(double start, double end, int steps, double smoothing, double divergence, string name)
    {
        using var model = nn.Linear(1, 1);
        var options = new LearningRateFinderOptions { StartLearningRate = start, EndLearningRate = end, Steps = steps, Smoothing = smoothing, DivergenceFactor = divergence };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateFinder.Start(model, "Linear", options, seed: 1));

        Assert.Equal(name, error.ParamName);
    }

    private static (byte[] Weights, bool[] Frozen, bool[] Modes, byte[][] Gradients, byte[] Random, byte[] Optimizer) Describe(nn.Module model, optim.Optimizer optimizer)
    {
        using var random = get_rng_state();
        return (
            StateBytes.Of(model),
            model.parameters().Select(p => p.requires_grad).ToArray(),
            [model.training, .. model.named_modules().Select(m => m.module.training)],
            model.parameters().Select(p =>
            {
                using var grad = p.grad;
                return grad is null ? [] : grad.cpu().bytes.ToArray();
            }).ToArray(),
            random.bytes.ToArray(),
            StateBytes.Of(optimizer));
    }

    /// <summary>A module of one weight, for losses whose gradient is known.</summary>
    private sealed class Scalar : nn.Module
    {
        public Scalar(float value)
            : base(nameof(Scalar))
        {
            Weight = nn.Parameter(tensor(new[] { value }));
            register_parameter("weight", Weight);
        }

        public TorchSharp.Modules.Parameter Weight { get; }
    }

    private sealed class RelativeComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(Math.Abs(x), Math.Abs(y));

        public int GetHashCode(double obj) => 0;
    }

    private sealed class AbsoluteComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
