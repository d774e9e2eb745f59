using System.Globalization;
using System.Text.Json;
using ModelGen.Storage;

namespace ModelGen.Training;

/// <summary>
/// The checkpoints of one model in a folder: writing with rotation, finding the newest whole one, and
/// the best weights of each phase that early stopping keeps.
/// </summary>
internal sealed class CheckpointStore
{
    private const string Extension = ".mgckpt";
    private const string BestStateTag = "STAT";

    /// <summary>Version 1 was the bare state dict, without a checksum.</summary>
    private static readonly FileFormat BestFormat = new("BEST", Version: 2, "best-weights file");

    private static readonly JsonSerializerOptions BestJson = ChecksummedFile.StrictJson();

    /// <summary>Opens (and creates) the folder.</summary>
    public CheckpointStore(string directory, int keep)
    {
        Directory = Path.GetFullPath(directory);
        Keep = Math.Max(1, keep);
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.CleanUp(Directory, TimeSpan.Zero);
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>How many checkpoints are kept.</summary>
    public int Keep { get; }

    /// <summary>Every checkpoint file, oldest first.</summary>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.EnumerateFiles(Directory, "ckpt-*" + Extension).Order(StringComparer.Ordinal).ToList();

    /// <summary>Writes a checkpoint and removes the oldest beyond <see cref="Keep"/>.</summary>
    public string Save(CheckpointState state, byte[] model, byte[] optimizer)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"ckpt-{state.Sequence:D6}-{Safe(state.Phase)}-e{state.EpochsDone:D4}{Extension}");
        var path = Path.Combine(Directory, name);
        CheckpointFile.Write(path, state, model, optimizer);
        var files = Files();
        foreach (var old in files.Take(Math.Max(0, files.Count - Keep)))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <summary>The newest checkpoint that reads back whole (damaged files are skipped), or null.</summary>
    /// <exception cref="CheckpointException">The newest checkpoint was saved by another version of ModelGen.</exception>
    public (string Path, CheckpointState State, byte[] Model, byte[] Optimizer)? Latest(string model)
    {
        foreach (var file in Files().Reverse())
        {
            if (CheckpointFile.TryRead(file) is { } read && read.State.Model == model)
            {
                return (file, read.State, read.Model, read.Optimizer);
            }
        }

        return null;
    }

    /// <summary>Keeps the best weights of <paramref name="phase"/> (early stopping with restore_best), checksummed and written atomically.</summary>
    /// <param name="model">The generated class's name.</param>
    /// <param name="phase">The phase.</param>
    /// <param name="state">The model's state dict, as <c>nn.Module.save</c> writes it.</param>
    public void SaveBest(string model, string phase, byte[] state) =>
        ChecksummedFile.Write(BestPath(phase), BestFormat, new BestHeader(model, phase), BestJson, [new FileSection(BestStateTag, stream => stream.Write(state))]);

    /// <summary>
    /// The best weights <see cref="SaveBest"/> kept for <paramref name="phase"/>, or null: when none were kept
    /// (<paramref name="problem"/> is null), or when the file cannot be used (damaged, truncated, another
    /// model's or phase's, or from an older ModelGen), which <paramref name="problem"/> then explains. A file
    /// that cannot be used is never loaded.
    /// </summary>
    public byte[]? TryLoadBest(string model, string phase, out string? problem)
    {
        problem = null;
        var path = BestPath(phase);
        if (!File.Exists(path))
        {
            return null;
        }

        string reason;
        try
        {
            using var file = ChecksummedFile.Open(path, BestFormat);
            var header = file.Header<BestHeader>(BestJson);
            if (header.Model == model && header.Phase == phase)
            {
                return file.ReadSection(BestStateTag);
            }

            reason = $"it holds the best weights of {header.Model}'s phase \"{header.Phase}\"";
        }
        catch (ChecksummedFileException e)
        {
            // Before the container, best weights were the bare state dict: not a checksummed file at all.
            reason = e.Problem == FileProblem.NotThisFormat ? $"{e.Reason} (older versions of ModelGen wrote best weights without a checksum)" : e.Reason;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = $"it cannot be read ({e.Message})";
        }

        problem = $"the best weights of phase \"{phase}\" cannot be restored from {path}: {reason}. "
            + "The phase ends with its last weights unless a later epoch improves on its best.";
        return null;
    }

    /// <summary>The file that keeps the best weights of a phase.</summary>
    private string BestPath(string phase) => Path.Combine(Directory, $"best-{Safe(phase)}.mgstate");

    private static string Safe(string name) => new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    private sealed record BestHeader(string Model, string Phase);
}
