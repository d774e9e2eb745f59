using System.Text.Json;
using ModelGen.Storage;

namespace ModelGen.Training;

/// <summary>What a checkpoint records besides the weights: which run it is of, where training was and what it had seen.</summary>
/// <param name="Model">The generated class's name.</param>
/// <param name="Run">The run: its id, start and what it trains; a run resumes only a checkpoint of the same training.</param>
/// <param name="Sequence">The checkpoint's number in its run (one per epoch, across phases).</param>
/// <param name="Phase">The phase being trained.</param>
/// <param name="EpochsDone">Epochs of that phase completed.</param>
/// <param name="PhasesDone">Phases finished (all epochs run, or stopped early).</param>
/// <param name="History">Every epoch so far.</param>
/// <param name="BestValue">Early stopping: the best monitored value of the phase so far.</param>
/// <param name="BestEpoch">Early stopping: the epoch (from 1) that had it.</param>
/// <param name="Wait">Early stopping: epochs since the best one.</param>
internal sealed record CheckpointState(
    string Model,
    RunStamp Run,
    int Sequence,
    string Phase,
    int EpochsDone,
    string[] PhasesDone,
    EpochResult[] History,
    double? BestValue,
    int BestEpoch,
    int Wait);

/// <summary>
/// A checkpoint on disk, in ModelGen's checksummed container (kind CKPT): the <see cref="CheckpointState"/>
/// as JSON, the model's state dict, the optimizer's state and, for a run with <c>training.ema</c>, the weight
/// average (a section of its own, so checkpoints without it read as before). Written atomically; a file that is not whole
/// (half-written or damaged) is never loaded.
/// </summary>
internal static class CheckpointFile
{
    private const string ModelTag = "STAT";
    private const string OptimizerTag = "OPTM";
    private const string AverageTag = "EMAW";

    /// <summary>Version 1 was the layout before the container (magic MGCKPT01); version 2 did not record the run.</summary>
    private static readonly FileFormat Format = new("CKPT", Version: 3, "checkpoint", "MGCKPT01");

    private static readonly JsonSerializerOptions Json = ChecksummedFile.StrictJson(TrainingHistory.JsonOptions);

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Write(string path, CheckpointState state, byte[] model, byte[] optimizer, byte[]? average = null)
    {
        List<FileSection> sections = [new FileSection(ModelTag, stream => stream.Write(model)), new FileSection(OptimizerTag, stream => stream.Write(optimizer))];
        if (average is not null)
        {
            sections.Add(new FileSection(AverageTag, stream => stream.Write(average)));
        }

        ChecksummedFile.Write(path, Format, state, Json, sections);
    }

    /// <summary>Reads a checkpoint, or null when it is not a whole, undamaged checkpoint.</summary>
    /// <exception cref="CheckpointException">The file was saved by another version of ModelGen, so it cannot be resumed.</exception>
    public static (CheckpointState State, byte[] Model, byte[] Optimizer, byte[]? Average)? TryRead(string path)
    {
        try
        {
            using var file = ChecksummedFile.Open(path, Format);
            var state = file.Header<CheckpointState>(Json);
            var average = file.Tags.Contains(AverageTag) ? file.ReadSection(AverageTag) : null;
            return (state, file.ReadSection(ModelTag), file.ReadSection(OptimizerTag), average);
        }
        catch (ChecksummedFileException e) when (e.Problem is FileProblem.OlderFormat or FileProblem.NewerFormat)
        {
            throw new CheckpointException(
                $"The checkpoint {path} cannot be resumed: {e.Reason}. Delete the checkpoints in {Path.GetDirectoryName(Path.GetFullPath(path))} "
                + "(or use another checkpoint folder) and train without resuming to start fresh.",
                e);
        }
        catch (ChecksummedFileException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
