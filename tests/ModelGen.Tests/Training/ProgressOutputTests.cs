using ModelGen.Data;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>What a user's logger gets when output is redirected: a line per epoch with throughput, one for the phase, one for the files; and the files.</summary>
public sealed class ProgressOutputTests
{
    [Fact]
    public void PlainLines_ShowEveryEpoch_AndASummary_AndTheFilesAreWritten()
    {
        using var temp = new TempFolder();
        using var model = FashionMethod1.Create(new ModelOptions { CacheDirectory = temp["cache"], Device = CPU });
        using var features = model.Extract(FashionData.Subset(FashionData.Test, perClass: 3, temp["images"]));
        var log = new CapturingLogger();

        model.Train(features, null, new TrainOptions { OutputDirectory = temp["out"], CheckpointDirectory = temp["checkpoints"], Progress = ProgressMode.Lines, Logger = log, MaxEpochsPerPhase = 3 });

        var text = log.Text;
        Assert.Contains("FashionMethod1 train epoch 1/3: loss", text);
        Assert.Contains("FashionMethod1 train epoch 3/3: loss", text);
        Assert.Contains("samples/s)", text);
        Assert.Contains("FashionMethod1 train: 3 epochs in ", text);
        Assert.Contains($"; history and curves in {temp["out"]}, checkpoints in {temp["checkpoints"]}", text);
        Assert.Contains($"FashionMethod1: checkpoints go to {temp["checkpoints"]}, ", text); // with their size, written once
        Assert.Equal(4, File.ReadAllLines(temp["out/history.csv"]).Length);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(temp["out/curves.png"]).Take(4));
        Assert.Equal(3, Directory.GetFiles(temp["checkpoints"], "ckpt-*").Length);
    }
}
