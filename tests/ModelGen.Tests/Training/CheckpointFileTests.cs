using ModelGen.Storage;
using ModelGen.Tests.Infrastructure;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Training;

/// <summary>
/// Checkpoints and best weights on disk: what is written reads back; a damaged file is skipped (never
/// loaded), and a checkpoint of an older ModelGen stops the resume with a message that says how to start fresh.
/// </summary>
public sealed class CheckpointFileTests
{
    private static readonly RunStamp Run = new("0123456789ab", new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc), new RunFingerprint("shape", "layout", "plan", "data", Seed: 1));

    private static readonly CheckpointState State = new(
        "Tiny",
        Run,
        Sequence: 2,
        Phase: "warmup",
        EpochsDone: 2,
        PhasesDone: [],
        History: [new EpochResult("warmup", 1, 0.9, 0.5, 0.8, 0.6, 1e-3, 1.5, 100), new EpochResult("warmup", 2, 0.7, 0.6, null, null, 1e-3, 1.4, 110)],
        BestValue: 0.8,
        BestEpoch: 1,
        Wait: 1);

    [Fact]
    public void WriteThenRead_GivesTheSameCheckpoint()
    {
        using var temp = new TempFolder();
        CheckpointFile.Write(temp["a.mgckpt"], State, [1, 2, 3], [4, 5]);

        var read = CheckpointFile.TryRead(temp["a.mgckpt"]);

        Assert.NotNull(read);
        Assert.Equal(State.History, read.Value.State.History);
        Assert.Equal(State with { History = read.Value.State.History, PhasesDone = read.Value.State.PhasesDone }, read.Value.State);
        Assert.Equal([1, 2, 3], read.Value.Model);
        Assert.Equal([4, 5], read.Value.Optimizer);
    }

    [Fact]
    public void TheNewestCheckpointDamaged_TheOneBeforeIsResumed()
    {
        using var temp = new TempFolder();
        var store = new CheckpointStore(temp.Path, keep: 3);
        store.Save(State with { Sequence = 1, EpochsDone = 1 }, [1], []);
        var newest = store.Save(State, [2], []);
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes.AsSpan(0, bytes.Length - 40).ToArray());

        Assert.Null(CheckpointFile.TryRead(newest));
        var latest = store.Latest("Tiny");
        Assert.NotNull(latest);
        Assert.Equal(1, latest.Value.State.Sequence);
        Assert.Equal([1], latest.Value.Model);
    }

    [Fact]
    public void ACheckpointOfAnOlderModelGen_StopsTheResume_AndSaysHowToStartFresh()
    {
        using var temp = new TempFolder();
        var checkpoints = temp["checkpoints"];
        Directory.CreateDirectory(checkpoints);
        using var model = nn.Linear(3, 1);
        using var state = new MemoryStream();
        model.save(state);
        LegacyFiles.WriteCheckpoint(Path.Combine(checkpoints, "ckpt-000002-warmup-e0002.mgckpt"), State, state.ToArray(), []);

        var error = Assert.Throws<CheckpointException>(() => TrainingRun.Start(model, "Tiny", new TrainOptions { CheckpointDirectory = checkpoints, Resume = true, OutputDirectory = temp["out"], Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1));

        Assert.Contains("saved by an older ModelGen (format MGCKPT01)", error.Message);
        Assert.Contains("ckpt-000002-warmup-e0002.mgckpt", error.Message);
        Assert.Contains("start fresh", error.Message);
    }

    [Fact]
    public void ACheckpointThatDoesNotRecordItsRun_StopsTheResume_AsOneOfAnOlderModelGen()
    {
        // Format CKPT 2, before checkpoints recorded their run (issue 18 item 2), named as that version named them.
        using var temp = new TempFolder();
        var checkpoints = temp["checkpoints"];
        Directory.CreateDirectory(checkpoints);
        using var model = nn.Linear(3, 1);
        var header = new { State.Model, State.Sequence, State.Phase, State.EpochsDone, State.PhasesDone, State.History, State.BestValue, State.BestEpoch, State.Wait };
        ChecksummedFile.Write(Path.Combine(checkpoints, "ckpt-000002-warmup-e0002.mgckpt"), new FileFormat("CKPT", 2, "checkpoint"), header, ChecksummedFile.StrictJson(TrainingHistory.JsonOptions), [new FileSection("STAT", s => model.save(s)), new FileSection("OPTM", _ => { })]);

        var error = Assert.Throws<CheckpointException>(() => TrainingRun.Start(model, "Tiny", new TrainOptions { CheckpointDirectory = checkpoints, Resume = true, OutputDirectory = temp["out"], Progress = ProgressMode.None }, checkpoints: null, earlyStopping: null, seed: 1));

        Assert.Contains("saved by an older ModelGen (format CKPT 2; this one reads CKPT 3)", error.Message);
        Assert.Contains("ckpt-000002-warmup-e0002.mgckpt", error.Message);
        Assert.Contains("start fresh", error.Message);
    }

    [Fact]
    public void BestWeights_ReadBack_OnlyForTheirModelAndPhase()
    {
        using var temp = new TempFolder();
        var store = new CheckpointStore(temp.Path, keep: 1);

        Assert.Null(store.TryLoadBest("Tiny", "train", Run.Id, out var none));
        Assert.Null(none);
        store.SaveBest("Tiny", "train", Run.Id, [9, 8, 7]);
        Assert.Equal([9, 8, 7], store.TryLoadBest("Tiny", "train", Run.Id, out var problem));
        Assert.Null(problem);
        Assert.Null(store.TryLoadBest("Other", "train", Run.Id, out var otherModel));
        Assert.Contains("Tiny's phase \"train\"", otherModel);
        Assert.Null(store.TryLoadBest("Tiny", "train", "ba9876543210", out var otherRun));
        Assert.Contains("another run (run 0123456789ab, not ba9876543210)", otherRun);
        store.SaveBest("Tiny", "a b", Run.Id, [1]);
        Assert.Null(store.TryLoadBest("Tiny", "a_b", Run.Id, out var otherPhase)); // the same file name
        Assert.Contains("phase \"a b\"", otherPhase);
    }

    [Fact]
    public void DamagedOrOlderBestWeights_AreReported_NotLoaded()
    {
        using var temp = new TempFolder();
        var store = new CheckpointStore(temp.Path, keep: 1);
        store.SaveBest("Tiny", "train", Run.Id, [.. Enumerable.Range(0, 500).Select(i => (byte)i)]);
        var path = Directory.GetFiles(temp.Path, "best-*").Single();
        var whole = File.ReadAllBytes(path);

        File.WriteAllBytes(path, whole.AsSpan(0, 300).ToArray());
        Assert.Null(store.TryLoadBest("Tiny", "train", Run.Id, out var truncated));
        Assert.Contains("truncated", truncated);
        Assert.Contains(path, truncated);

        whole[100] ^= 0x40;
        File.WriteAllBytes(path, whole);
        Assert.Null(store.TryLoadBest("Tiny", "train", Run.Id, out var flipped));
        Assert.Contains("checksum does not match", flipped);

        using var model = nn.Linear(3, 1);
        LegacyFiles.WriteBest(path, model);
        Assert.Null(store.TryLoadBest("Tiny", "train", Run.Id, out var older));
        Assert.Contains("without a checksum", older);
    }
}
