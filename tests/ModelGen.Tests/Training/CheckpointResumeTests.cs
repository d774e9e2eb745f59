using ModelGen.Training;
using ModelGen.Tests.Infrastructure;

namespace ModelGen.Tests.Training;

/// <summary>A training process killed with kill -9 mid-epoch resumes from its last checkpoint and ends with the same number of epochs.</summary>
public sealed class CheckpointResumeTests
{
    [Fact]
    public void TrainingKilledMidEpoch_ResumesAndEndsWithAllEpochs()
    {
        using var temp = new TempFolder();
        var data = FashionData.Subset(FashionData.Train, perClass: 60, temp["data"]);
        var checkpoints = temp["checkpoints"];

        // Kill while the third epoch (the first of the second phase) runs: after the second checkpoint.
        using (var host = TestHostProcess.Start("train", data, checkpoints, temp["out"]))
        {
            var reached = host.WaitUntil(() => Directory.Exists(checkpoints) && Directory.GetFiles(checkpoints, "ckpt-*").Any(f => f.Contains("-warmup-e0002", StringComparison.Ordinal)), TimeSpan.FromMinutes(3));
            Assert.True(reached, "no checkpoint after the second epoch:\n" + host.Output);
            Thread.Sleep(300);
            Assert.False(host.HasExited, "training finished before it could be killed:\n" + host.Output);
            host.KillHard();
        }

        // Every checkpoint on disk is whole: the killed process never left half a file behind a final name.
        var store = new CheckpointStore(checkpoints, keep: 2);
        Assert.NotEmpty(store.Files());
        Assert.All(store.Files(), file => Assert.NotNull(CheckpointFile.TryRead(file)));

        var output = TestHostProcess.Run("train", data, checkpoints, temp["out"], "resume");

        Assert.Contains("resuming from", output);
        Assert.Contains("epochs 6", output);
        var history = TrainingHistory.FromJson(File.ReadAllText(temp["out/history.json"]));
        Assert.Equal(["warmup 1", "warmup 2", "deep 1", "deep 2", "deep 3", "deep 4"], history.Epochs.Select(e => $"{e.Phase} {e.Epoch}"));
        Assert.Equal(2, store.Files().Count);
        Assert.True(File.Exists(temp["out/curves.png"]));
    }
}
