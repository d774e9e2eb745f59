using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Specs;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// Checkpoints carry the identity of their run (issue 18 items 2 and 11): a fresh run in a folder that holds
/// an earlier run's checkpoints keeps its own and resumes from them, and resuming a run whose model, plan,
/// data or seed differ from the checkpoint's is a <see cref="CheckpointException"/> that says what differs,
/// never a silent restore of another run nor TorchSharp's raw "Mismatched state_dict sizes".
/// </summary>
[Collection(nameof(TorchRandomness))]
public sealed class RunIdentityTests
{
    [Fact]
    public void AFreshRun_InAFolderWithAnEarlierRunsCheckpoints_KeepsItsOwn_AndResumesFromThem()
    {
        // Issue 18 item 2: the earlier run left ckpt-000004 and -000005; the fresh run's ckpt-000001 sorted
        // first by name and was deleted as soon as written, and resuming restored the earlier run, all done.
        using var temp = new TempFolder();
        var checkpoints = new CheckpointSettings(temp["checkpoints"], Keep: 2);
        using var model = nn.Linear(3, 1);
        RunEpochs(model, checkpoints, temp["out"], epochs: 5, run: 5);
        RunEpochs(model, checkpoints, temp["out"], epochs: 5, run: 1); // a fresh run, killed after its first epoch

        using var resumed = Start(model, checkpoints, temp["out"], resume: true);
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);
        using var phase = resumed.BeginPhase("train", epochs: 5, optimizer, schedule: null, samples: 1);

        Assert.False(resumed.IsPhaseDone("train"));
        Assert.Equal(1, phase.FirstEpoch);
        Assert.Single(resumed.History.Epochs);
    }

    [Fact]
    public void ResumingAModelOfAnotherShape_IsACheckpointException_BeforeAnyWeightIsLoaded()
    {
        // Issue 18 item 11: another head size gave TorchSharp's raw "Mismatched state_dict sizes".
        using var temp = new TempFolder();
        var checkpoints = new CheckpointSettings(temp["checkpoints"], Keep: 2);
        using (var saved = nn.Linear(3, 1))
        {
            RunEpochs(saved, checkpoints, temp["out"], epochs: 3, run: 1);
        }

        using var other = nn.Linear(3, 2);
        var before = other.weight.detach().data<float>().ToArray();

        var error = Assert.Throws<CheckpointException>(() => Start(other, checkpoints, temp["out"], resume: true));

        Assert.Contains("shape", error.Message);
        Assert.Contains(Path.Combine(temp["checkpoints"], "ckpt-"), error.Message);
        Assert.Contains("without Resume", error.Message);
        Assert.DoesNotContain("Mismatched", error.Message);
        Assert.Equal(before, other.weight.detach().data<float>().ToArray());
    }

    [Fact]
    public void ResumingWithAnotherSeed_IsACheckpointException_ThatSaysSo()
    {
        using var temp = new TempFolder();
        var checkpoints = new CheckpointSettings(temp["checkpoints"], Keep: 2);
        using var model = nn.Linear(3, 1);
        RunEpochs(model, checkpoints, temp["out"], epochs: 3, run: 1, seed: 1);

        var error = Assert.Throws<CheckpointException>(() => Start(model, checkpoints, temp["out"], resume: true, seed: 2));

        Assert.Contains("seed", error.Message);
        Assert.Contains("1", error.Message);
        Assert.Contains("2", error.Message);
    }

    [Fact]
    public void AFreshRun_RemovesOlderRunsCheckpointsOnlyToMakeRoomForItsOwn_AndSaysSo()
    {
        using var temp = new TempFolder();
        var checkpoints = new CheckpointSettings(temp["checkpoints"], Keep: 2);
        using var model = nn.Linear(3, 1);
        using var other = nn.Linear(3, 1);
        RunEpochs(model, checkpoints, temp["out"], epochs: 3, run: 3);
        RunEpochs(other, checkpoints, temp["out"], epochs: 1, run: 1, modelName: "Other");
        var earlier = Checkpoints(temp, "Tiny");
        var others = Checkpoints(temp, "Other");
        Assert.Equal(2, earlier.Count);
        Assert.Single(others);

        var log = new CapturingLogger();
        RunEpochs(model, checkpoints, temp["out"], epochs: 3, run: 1, log: log);

        var afterOne = Checkpoints(temp, "Tiny");
        Assert.Equal(2, afterOne.Count);
        Assert.Equal(earlier[1], afterOne[0]); // the earlier run's newest stays while there is room
        Assert.DoesNotContain(afterOne[1], earlier);
        var removed = Assert.Single(log.Of(LogEvents.CheckpointsOfOtherRunsRemoved));
        Assert.Equal((1, 2, Path.GetFileName(earlier[0])), (removed["Count"], removed["Keep"], removed["Files"]));

        RunEpochs(model, checkpoints, temp["out"], epochs: 3, run: 2, resume: true);

        var afterThree = Checkpoints(temp, "Tiny");
        Assert.Equal(2, afterThree.Count);
        Assert.All(afterThree, file => Assert.DoesNotContain(file, earlier));
        Assert.EndsWith("-000003-train-e0003.mgckpt", afterThree[1], StringComparison.Ordinal);
        Assert.Equal(others, Checkpoints(temp, "Other")); // another model's checkpoints are never rotated
    }

    [Fact]
    public void ResumingWithAnotherPlanOrOtherData_IsACheckpointException_ThatSaysWhatDiffers()
    {
        using var temp = new TempFolder();
        var checkpoints = new CheckpointSettings(temp["checkpoints"], Keep: 2);
        using var model = nn.Linear(3, 1);
        var identity = new RunIdentity("shape-1", "plan-1", "images /data/train: 600");
        RunEpochs(model, checkpoints, temp["out"], epochs: 3, run: 1, identity: identity);

        var plan = Assert.Throws<CheckpointException>(() => Start(model, checkpoints, temp["out"], resume: true, identity: identity with { Plan = "plan-2" }));
        var data = Assert.Throws<CheckpointException>(() => Start(model, checkpoints, temp["out"], resume: true, identity: identity with { Data = "images /data/other: 600" }));
        var shape = Assert.Throws<CheckpointException>(() => Start(model, checkpoints, temp["out"], resume: true, identity: identity with { Shape = "shape-2" }));
        using var same = Start(model, checkpoints, temp["out"], resume: true, identity: identity);

        Assert.Contains("training plan differs", plan.Message);
        Assert.DoesNotContain("data differs", plan.Message);
        Assert.Contains("training data differs (the checkpoint's: images /data/train: 600; this run's: images /data/other: 600)", data.Message);
        Assert.Contains("shape differs", shape.Message);
        Assert.Contains("shape-1", shape.Message);
        Assert.All(new[] { plan, data, shape }, e => Assert.Contains("TrainOptions.CheckpointDirectory", e.Message));
        Assert.Single(same.History.Epochs);
    }

    [Fact]
    public void AGeneratedModel_ResumesOnlyOnTheSameFeatures()
    {
        using var temp = new TempFolder();
        var options = new ModelOptions { Device = CPU, Seed = 3 };
        TrainOptions Options(bool resume) => new() { CheckpointDirectory = temp["checkpoints"], OutputDirectory = temp["out"], Progress = ProgressMode.None, MaxEpochsPerPhase = 1, Resume = resume };
        using var generator = new Generator(7);
        using var features = new ModelGen.Data.FeatureSet(randn([20, .. TinySeeded.FeatureShape], generator: generator), arange(20).remainder(10), TinySeeded.DeclaredClasses, 0);
        using var others = new ModelGen.Data.FeatureSet(randn([20, .. TinySeeded.FeatureShape], generator: generator), arange(20).remainder(10), TinySeeded.DeclaredClasses, 0);
        using (var model = TinySeeded.Create(options))
        {
            model.Train(features, trainOptions: Options(resume: false));
        }

        using var resumed = TinySeeded.Create(options);
        var error = Assert.Throws<CheckpointException>(() => resumed.Train(others, trainOptions: Options(resume: true)));
        var history = resumed.Train(features, trainOptions: Options(resume: true));

        Assert.Contains("training data differs", error.Message);
        Assert.DoesNotContain("plan differs", error.Message);
        Assert.DoesNotContain("shape differs", error.Message);
        Assert.Single(history.Epochs); // resumed with its one epoch done: none to run
    }

    /// <summary>A model's checkpoint files, oldest first.</summary>
    private static List<string> Checkpoints(TempFolder temp, string model) =>
        [.. new CheckpointStore(temp["checkpoints"], keep: 2).Files().Where(f => Path.GetFileName(f).StartsWith($"ckpt-{model}-", StringComparison.Ordinal))];

    /// <summary>A run of a one-layer model that does not learn: <paramref name="run"/> epochs of a phase of <paramref name="epochs"/>; finished only when it ran them all.</summary>
    private static void RunEpochs(nn.Module model, CheckpointSettings checkpoints, string output, int epochs, int run, bool resume = false, int seed = 1, CapturingLogger? log = null, string modelName = "Tiny", RunIdentity? identity = null)
    {
        using var optimizer = Optimizers.Sgd(model.parameters(), [], lr: 0.1);
        using var training = Start(model, checkpoints, output, resume, seed, log, modelName, identity);
        using var phase = training.BeginPhase("train", epochs, optimizer, schedule: null, samples: 1);
        for (var epoch = phase.FirstEpoch; epoch < Math.Min(phase.Epochs, phase.FirstEpoch + run); epoch++)
        {
            phase.EndEpoch(phase.BeginEpoch(epoch), null);
        }

        if (run >= epochs)
        {
            training.Finish();
        }
    }

    private static TrainingRun Start(nn.Module model, CheckpointSettings checkpoints, string output, bool resume, int seed = 1, CapturingLogger? log = null, string modelName = "Tiny", RunIdentity? identity = null) =>
        TrainingRun.Start(model, modelName, new TrainOptions { OutputDirectory = output, Resume = resume, Progress = ProgressMode.None }, checkpoints, earlyStopping: null, seed, log is null ? new ModelOptions() : new ModelOptions { Logger = log }, identity);
}
