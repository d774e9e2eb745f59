using System.Globalization;
using ModelGen.Storage;

namespace ModelGen.Training;

/// <summary>The checkpoints of one model in a folder: writing with rotation, and finding the newest whole one.</summary>
public sealed class CheckpointStore
{
    private const string Extension = ".mgckpt";

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

    /// <summary>The file that keeps the best weights of a phase (early stopping with restore_best).</summary>
    public string BestPath(string phase) => Path.Combine(Directory, $"best-{Safe(phase)}.mgstate");

    private static string Safe(string name) => new(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}
