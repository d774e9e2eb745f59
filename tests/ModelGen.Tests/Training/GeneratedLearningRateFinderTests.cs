using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using ModelGen.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The generated <c>FindLearningRate</c> (issue 14): it leaves the model exactly as it found it, so a following
/// <c>Train</c> runs bit for bit as it would have without it (on features, and end to end on augmented images with
/// batch-norm statistics that move, and through a frozen backbone with augmentation), and on real images its suggestion lies where the loss falls.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class GeneratedLearningRateFinderTests(ITestOutputHelper output)
{
    [Fact]
    public void OnFeatures_TheModelIsUnchanged_AndTheFollowingTrainIsBitForBitTheSame()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Train, perClass: 3, temp["train"]);
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = 7 };

        using var probed = TinySeeded.Create(options);
        using var features = probed.Extract(images);
        var before = State.Of(probed);
        var finding = probed.FindLearningRate(features, new LearningRateFinderOptions { Steps = 30, OutputDirectory = temp["finder"], Progress = ProgressMode.None });
        Assert.Equal(30, finding.Steps.Count);
        State.Of(probed).AssertSameAs(before);
        var probedHistory = probed.Train(features, null, new TrainOptions { OutputDirectory = temp["probed"], Progress = ProgressMode.None });

        using var plain = TinySeeded.Create(options);
        var plainHistory = plain.Train(features, null, new TrainOptions { OutputDirectory = temp["plain"], Progress = ProgressMode.None });

        Assert.Equal(plainHistory.Epochs.Select(e => (e.Loss, e.Accuracy)), probedHistory.Epochs.Select(e => (e.Loss, e.Accuracy)));
        Assert.Equal(StateBytes.Of(plain), StateBytes.Of(probed));
    }

    [Fact]
    public void OnImages_WithTheWholeBackboneTraining_TheModelIsUnchanged_AndTheFollowingTrainIsBitForBitTheSame() =>
        AssertUnchangedOnImages<TinyFineTuneFirst>(TinyFineTuneFirst.Create, (m, d, o) => m.FindLearningRate(d, o), (m, d, o) => m.Train(d, null, o));

    [Fact]
    public void OnImagesThroughAFrozenBackbone_TheModelIsUnchanged_AndTheFollowingTrainIsBitForBitTheSame() =>
        AssertUnchangedOnImages<TinyFrozenAugmented>(TinyFrozenAugmented.Create, (m, d, o) => m.FindLearningRate(d, o), (m, d, o) => m.Train(d, null, o));

    [Fact]
    public void OnRealImages_TheSuggestionLiesWhereTheLossFalls_AndThePlotIsWritten()
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Train, perClass: 30, temp["train"]);
        var log = new CapturingLogger();
        using var model = FashionImbalanced.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });

        var finding = model.FindLearningRate(images, new LearningRateFinderOptions { OutputDirectory = temp["finder"], Progress = ProgressMode.Lines, Logger = log });

        // The falling range: from the step where the smoothed loss has fallen 5% of its whole fall to the lowest one.
        var smoothed = finding.Steps.Select(s => s.SmoothedLoss).ToArray();
        var lowest = Array.IndexOf(smoothed, smoothed.Min());
        var falling = Array.FindIndex(smoothed, s => s < smoothed[0] - (0.05 * (smoothed[0] - smoothed[lowest])));
        var suggested = finding.SuggestedLearningRate ?? throw new Xunit.Sdk.XunitException("no suggestion");
        var k = finding.Steps.ToList().FindIndex(s => s.LearningRate == suggested);
        var curve = string.Join(" ", finding.Steps.Select(s => $"{s.LearningRate:G2}:{s.SmoothedLoss:0.00}"));
        output.WriteLine($"suggested lr {suggested:G3} at step {k + 1}; lowest smoothed loss {smoothed[lowest]:0.000} at step {lowest + 1}; {finding.Steps.Count} steps; {curve}");
        Assert.True(smoothed[0] - smoothed[lowest] > 0.5, $"the loss barely falls: {curve}");
        Assert.True(falling <= k && k < lowest, $"suggested step {k + 1} (lr {suggested:G3}), falling from step {falling + 1} to {lowest + 1}: {curve}");
        Assert.True(smoothed[k + 1] < smoothed[k], $"the smoothed loss does not fall at the suggestion: {curve}");
        Assert.True(finding.StoppedEarly, $"Adam at lr 10 should diverge: {curve}");
        Assert.Contains("steepest descent", finding.SuggestionRule, StringComparison.Ordinal);

        Assert.Equal(Path.Combine(temp["finder"], "lr-finder.png"), finding.PlotPath);
        using var plot = SixLabors.ImageSharp.Image.Load(finding.PlotPath!);
        Assert.Equal((700, 450), (plot.Width, plot.Height));

        Assert.Single(log.Of(LogEvents.LearningRateFinderStarted));
        Assert.Equal(finding.Steps.Count, log.Of(LogEvents.LearningRateFinderStep).Count);
        Assert.Single(log.Of(LogEvents.LearningRateFinderStoppedEarly));
        var finished = Assert.Single(log.Of(LogEvents.LearningRateFinderFinished));
        Assert.Equal(suggested, (double)finished["SuggestedLearningRate"]!);
    }

    private static void AssertUnchangedOnImages<TModel>(
        Func<ModelOptions?, TModel> create,
        Func<TModel, string, LearningRateFinderOptions, LearningRateFinding> find,
        Func<TModel, string, TrainOptions, TrainingHistory> train)
        where TModel : nn.Module
    {
        using var temp = new TempFolder();
        var images = FashionData.Subset(FashionData.Train, perClass: 2, temp["train"]);
        var options = new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = 11 };
        var finderOptions = new LearningRateFinderOptions { Steps = 12, OutputDirectory = temp["finder"], Progress = ProgressMode.None };
        var trainOptions = new TrainOptions { Progress = ProgressMode.None };

        using var probed = create(options);
        var before = State.Of(probed);
        var finding = find(probed, images, finderOptions);
        Assert.Equal(12, finding.Steps.Count); // 20 images in batches of 10: the steps went round the data six times
        State.Of(probed).AssertSameAs(before);
        var probedHistory = train(probed, images, trainOptions with { OutputDirectory = temp["probed"] });

        using var plain = create(options);
        var plainHistory = train(plain, images, trainOptions with { OutputDirectory = temp["plain"] });

        Assert.Equal(plainHistory.Epochs.Select(e => (e.Loss, e.Accuracy)), probedHistory.Epochs.Select(e => (e.Loss, e.Accuracy)));
        Assert.Equal(StateBytes.Of(plain), StateBytes.Of(probed));
    }

    /// <summary>Everything about a model that training changes, as values.</summary>
    private sealed record State(byte[] Weights, bool[] Trainable, bool[] Modes, byte[] Random)
    {
        public static State Of(nn.Module model)
        {
            using var random = get_rng_state();
            return new State(
                StateBytes.Of(model),
                model.parameters().Select(p => p.requires_grad).ToArray(),
                [model.training, .. model.named_modules().Select(m => m.module.training)],
                random.bytes.ToArray());
        }

        public void AssertSameAs(State before)
        {
            Assert.Equal(before.Weights, Weights);
            Assert.Equal(before.Trainable, Trainable);
            Assert.Equal(before.Modes, Modes);
            Assert.Equal(before.Random, Random);
        }
    }
}
