using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// A checkpoint holds what trains, not the frozen backbone (issue 17 item 3): a head on a frozen base is a
/// small file, and the log says where the checkpoints go and how large each is, and when code overrides
/// the spec's <c>checkpoints: none</c>. Resuming from such a
/// checkpoint trains exactly as the uninterrupted run (<see cref="SeedTests"/>), since the frozen layers
/// are the weights the model is created with.
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class CheckpointContentsTests
{
    [Fact]
    public void AHeadOnAFrozenBase_CheckpointsTheHead_AndTheLogSaysHowLarge()
    {
        using var temp = new TempFolder();
        var train = FashionData.Subset(FashionData.Train, perClass: 2, temp["train"]);
        var log = new CapturingLogger();
        var checkpoints = temp["checkpoints"];

        using var model = TinySeeded.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU, Seed = 7, Logger = log });
        model.Train(train, null, new TrainOptions { CheckpointDirectory = checkpoints, OutputDirectory = temp["out"], Progress = ProgressMode.None });

        // Phase "head" trains 2,410 head parameters on a frozen base; phase "tune" trains everything.
        var head = new FileInfo(Directory.GetFiles(checkpoints).Single(f => f.Contains("-head-e0002", StringComparison.Ordinal))).Length;
        var tune = new FileInfo(Directory.GetFiles(checkpoints).Single(f => f.Contains("-tune-e0001", StringComparison.Ordinal))).Length;
        var frozenBase = model.Backbone.parameters().Sum(p => p.numel()) * sizeof(float);
        Assert.True(head < frozenBase / 5, $"the head's checkpoint is {head:N0} bytes; the frozen base alone is {frozenBase:N0}");
        Assert.True(tune > frozenBase, $"the fine-tuning checkpoint is {tune:N0} bytes, less than the base it trains ({frozenBase:N0})");

        // TinySeeded's spec says checkpoints: none; the folder given in code wins, and the log says so.
        Assert.Equal(Path.GetFullPath(checkpoints), Assert.Single(log.Of(LogEvents.CheckpointsDespiteSpec))["CheckpointDirectory"]);
        var written = Assert.Single(log.Of(LogEvents.CheckpointsWritten));
        Assert.Equal(Path.GetFullPath(checkpoints), written["CheckpointDirectory"]);
        // The log describes the run's first checkpoint (later ones also carry more epochs of history).
        var first = new FileInfo(Directory.GetFiles(checkpoints).Single(f => f.Contains("-head-e0001", StringComparison.Ordinal))).Length;
        Assert.InRange((double)written["Megabytes"]!, first / 1e6 * 0.99, first / 1e6 * 1.01);
    }
}
