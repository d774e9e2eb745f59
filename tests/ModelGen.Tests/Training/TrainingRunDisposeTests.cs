using Microsoft.Extensions.Logging;
using ModelGen.Tests.Infrastructure;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// <see cref="TrainingRun.Dispose"/>: a run that ends without <see cref="TrainingRun.Finish()"/> (training
/// threw) still writes the history and curves of the epochs it ran, and says so; a finished run is left alone.
/// </summary>
public sealed class TrainingRunDisposeTests
{
    [Fact]
    public void ARunThatThrowsAfterTwoEpochs_StillWritesTheirHistory_AndTheErrorGoesThrough()
    {
        using var temp = new TempFolder();
        var logger = new CapturingLogger();

        var error = Assert.Throws<IOException>(() => Train(temp["out"], logger, epochsBeforeTheError: 2));

        Assert.Equal("the disk with the images went away", error.Message);
        var history = TrainingHistory.FromJson(File.ReadAllText(temp["out/history.json"]));
        Assert.Equal(["train 1", "train 2"], history.Epochs.Select(e => $"{e.Phase} {e.Epoch}"));
        Assert.Equal(3, File.ReadAllLines(temp["out/history.csv"]).Length);
        Assert.True(File.Exists(temp["out/curves.png"]));
        var interrupted = logger.Of(LogEvents.TrainingInterrupted).Single();
        Assert.Equal((LogLevel.Warning, 2, temp["out"]), (interrupted.Level, interrupted["EpochCount"], interrupted["OutputDirectory"]));
    }

    [Fact]
    public void WhenTheHistoryCannotBeWritten_ThatIsLogged_AndTheTrainingsErrorGoesThrough()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp["a-file"], "");
        var logger = new CapturingLogger();

        var error = Assert.Throws<IOException>(() => Train(temp["a-file/out"], logger, epochsBeforeTheError: 1));

        Assert.Equal("the disk with the images went away", error.Message);
        var notWritten = logger.Of(LogEvents.HistoryNotWritten).Single();
        Assert.Equal((LogLevel.Error, 1), (notWritten.Level, notWritten["EpochCount"]));
        Assert.IsAssignableFrom<IOException>(notWritten.Exception);
    }

    [Fact]
    public void ARunThatThrowsBeforeAnyEpoch_WritesNothing()
    {
        using var temp = new TempFolder();
        var logger = new CapturingLogger();

        Assert.Throws<IOException>(() => Train(temp["out"], logger, epochsBeforeTheError: 0));

        Assert.False(Directory.Exists(temp["out"]));
        Assert.Empty(logger.Of(LogEvents.TrainingInterrupted));
    }

    [Fact]
    public void AFinishedRun_IsNotWrittenAgainWhenDisposed()
    {
        using var temp = new TempFolder();
        var logger = new CapturingLogger();
        using var model = nn.Linear(3, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);
        using (var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = temp["out"], Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1, new ModelOptions { Logger = logger }))
        {
            using (var phase = run.BeginPhase("train", epochs: 1, optimizer, schedule: null, samples: 1))
            {
                phase.EndEpoch(phase.BeginEpoch(0), null);
            }

            run.Finish();
            File.Delete(temp["out/history.json"]);
        }

        Assert.False(File.Exists(temp["out/history.json"]));
        Assert.Empty(logger.Entries);
    }

    /// <summary>Trains <paramref name="epochsBeforeTheError"/> epochs of a 5-epoch phase, then fails as a lost disk would.</summary>
    private static void Train(string output, ILogger logger, int epochsBeforeTheError)
    {
        using var model = nn.Linear(3, 1);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);
        using var run = TrainingRun.Start(model, "Tiny", new TrainOptions { OutputDirectory = output, Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1, new ModelOptions { Logger = logger });
        using var phase = run.BeginPhase("train", epochs: 5, optimizer, schedule: null, samples: 1);
        for (var epoch = phase.FirstEpoch; epoch < epochsBeforeTheError; epoch++)
        {
            phase.EndEpoch(phase.BeginEpoch(epoch), null);
        }

        throw new IOException("the disk with the images went away");
    }
}
