using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// The seed (spec key <c>training.seed</c>, overridden by <see cref="ModelOptions.Seed"/>) fixes a whole
/// run: initial weights, shuffling, dropout and augmentation, in a phase on cached features and in one
/// on augmented images. There is no other "deterministic mode": the seed is it.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class SeedTests
{
    [Fact]
    public void SameSeed_GivesTheSameHistory_AnotherSeedDoesNot()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 2, temp["train"]);
        var validation = FashionData.Subset(FashionData.Validation, perClass: 1, temp["val"]);

        var first = Train(seed: 7);
        var again = Train(seed: 7);
        var other = Train(seed: 8);

        Assert.Equal(new[] { "head 1", "head 2", "tune 1" }, first.Select(e => $"{e.Phase} {e.Epoch}"));
        Assert.Equal(first, again);
        Assert.NotEqual(first.Select(e => e.Loss), other.Select(e => e.Loss));

        List<(string Phase, int Epoch, double Loss, double Accuracy, double? ValLoss, double? ValAccuracy)> Train(int seed)
        {
            using var model = TinySeeded.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = seed });
            var history = model.Train(train, validation, new TrainOptions { OutputDirectory = temp[$"out-{seed}"], Progress = ProgressMode.None });
            return history.Epochs.Select(e => (e.Phase, e.Epoch, e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy)).ToList();
        }
    }

    [Fact]
    public void ResumedRun_TrainsExactlyAsTheUninterruptedOne()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 2, temp["train"]);
        var validation = FashionData.Subset(FashionData.Validation, perClass: 1, temp["val"]);
        var checkpoints = temp["checkpoints"];

        var whole = Train(resume: false);
        // As if the process had died after the first epoch: only that epoch's checkpoint is left.
        foreach (var file in Directory.GetFiles(checkpoints).Where(f => !Path.GetFileName(f).Contains("-head-e0001", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }

        var resumed = Train(resume: true);

        Assert.Equal(new[] { "head 1", "head 2", "tune 1" }, whole.Select(e => $"{e.Phase} {e.Epoch}"));
        Assert.Equal(whole, resumed);

        List<(string Phase, int Epoch, double Loss, double Accuracy, double? ValLoss, double? ValAccuracy)> Train(bool resume)
        {
            using var model = TinySeeded.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = 7 });
            var history = model.Train(train, validation, new TrainOptions { CheckpointDirectory = checkpoints, Resume = resume, OutputDirectory = temp["out"], Progress = ProgressMode.None });
            return history.Epochs.Select(e => (e.Phase, e.Epoch, e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy)).ToList();
        }
    }
}
