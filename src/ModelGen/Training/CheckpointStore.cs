using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelGen.Storage;

namespace ModelGen.Training;

/// <summary>
/// The checkpoints of one model in a folder: writing with rotation, finding the newest whole one, and
/// the best weights of each phase that early stopping keeps. A checkpoint's file name carries its model,
/// its run's start and id, and its number in the run, so that the folder orders by run, then by epoch:
/// <c>ckpt-{model}-{run start}-{run id}-{number}-{phase}-e{epochs}.mgckpt</c>.
/// </summary>
internal sealed partial class CheckpointStore
{
    private const string Extension = ".mgckpt";
    private const string BestStateTag = "STAT";

    /// <summary>Version 1 was the bare state dict, without a checksum; version 2 did not record the run.</summary>
    private static readonly FileFormat BestFormat = new("BEST", Version: 3, "best-weights file");

    private static readonly JsonSerializerOptions BestJson = ChecksummedFile.StrictJson();

    private readonly ILogger _logger;

    /// <summary>Opens (and creates) the folder; removing older runs' checkpoints is reported to <paramref name="logger"/>.</summary>
    public CheckpointStore(string directory, int keep, ILogger? logger = null)
    {
        Directory = Path.GetFullPath(directory);
        Keep = Math.Max(1, keep);
        _logger = logger ?? NullLogger.Instance;
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.CleanUp(Directory, TimeSpan.Zero);
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>How many checkpoints of a model are kept.</summary>
    public int Keep { get; }

    /// <summary>
    /// Every checkpoint file in the folder, of any model, oldest first: those of an older ModelGen (whose
    /// names do not say their run) first, then by run start, run and number.
    /// </summary>
    public IReadOnlyList<string> Files() => Listed().Select(f => f.Path).ToList();

    /// <summary>
    /// Writes a checkpoint, then removes this model's oldest beyond <see cref="Keep"/>: never one of the
    /// newest <see cref="Keep"/> of the checkpoint's own run; older runs' files (and files of an older ModelGen,
    /// which no run can resume) only while the run has fewer than <see cref="Keep"/> of its own, oldest first.
    /// </summary>
    public string Save(CheckpointState state, byte[] model, byte[] optimizer, byte[]? average = null)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"ckpt-{Safe(state.Model)}-{state.Run.FileLabel}-{state.Sequence:D6}-{Safe(state.Phase)}-e{state.EpochsDone:D4}{Extension}");
        var path = Path.Combine(Directory, name);
        CheckpointFile.Write(path, state, model, optimizer, average);

        var files = Listed().Where(f => f.Run is null || f.Model == Safe(state.Model)).ToList();
        var own = files.Where(f => f.Run == state.Run.FileLabel).ToList();
        var others = files.Where(f => f.Run != state.Run.FileLabel).ToList();
        var removed = others.Take(Math.Max(0, others.Count - Math.Max(0, Keep - own.Count))).ToList();
        foreach (var old in own.Take(Math.Max(0, own.Count - Keep)).Concat(removed))
        {
            File.Delete(old.Path);
        }

        if (removed.Count > 0)
        {
            _logger.CheckpointsOfOtherRunsRemoved(state.Model, removed.Count, Directory, Keep, string.Join(", ", removed.Select(f => Path.GetFileName(f.Path))));
        }

        return path;
    }

    /// <summary>
    /// The newest checkpoint of <paramref name="model"/> that reads back whole (damaged files are skipped), or
    /// null. Files of an older ModelGen count as older than any other: when no other is whole, the newest of
    /// them stops the resume with a <see cref="CheckpointException"/>.
    /// </summary>
    /// <exception cref="CheckpointException">The newest checkpoint was saved by another version of ModelGen.</exception>
    public (string Path, CheckpointState State, byte[] Model, byte[] Optimizer, byte[]? Average)? Latest(string model)
    {
        foreach (var file in Listed().Where(f => f.Run is null || f.Model == Safe(model)).Reverse())
        {
            if (CheckpointFile.TryRead(file.Path) is { } read && read.State.Model == model)
            {
                return (file.Path, read.State, read.Model, read.Optimizer, read.Average);
            }
        }

        return null;
    }

    /// <summary>Keeps the best weights of <paramref name="phase"/> (early stopping with restore_best), checksummed and written atomically.</summary>
    /// <param name="model">The generated class's name.</param>
    /// <param name="phase">The phase.</param>
    /// <param name="run">The run's id (<see cref="RunStamp.Id"/>): only the same run restores them.</param>
    /// <param name="state">The model's state dict, as <c>nn.Module.save</c> writes it.</param>
    public void SaveBest(string model, string phase, string run, byte[] state) =>
        ChecksummedFile.Write(BestPath(phase), BestFormat, new BestHeader(model, phase, run), BestJson, [new FileSection(BestStateTag, stream => stream.Write(state))]);

    /// <summary>
    /// The best weights <see cref="SaveBest"/> kept for <paramref name="phase"/>, or null: when none were kept
    /// (<paramref name="problem"/> is null), or when the file cannot be used (damaged, truncated, another
    /// model's, phase's or run's, or from an older ModelGen), which <paramref name="problem"/> then explains.
    /// A file that cannot be used is never loaded.
    /// </summary>
    public byte[]? TryLoadBest(string model, string phase, string run, out string? problem)
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
            if (header.Model == model && header.Phase == phase && header.Run == run)
            {
                return file.ReadSection(BestStateTag);
            }

            reason = header.Model == model && header.Phase == phase
                ? $"it holds the best weights of another run (run {header.Run}, not {run})"
                : $"it holds the best weights of {header.Model}'s phase \"{header.Phase}\"";
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

    /// <summary>The checkpoint files in the folder, oldest first (see <see cref="Files"/>).</summary>
    private List<CheckpointName> Listed() =>
        System.IO.Directory.EnumerateFiles(Directory, "ckpt-*" + Extension)
            .Select(CheckpointName.Of)
            .OrderBy(f => f.Run is not null)
            .ThenBy(f => f.Run, StringComparer.Ordinal)
            .ThenBy(f => f.Sequence)
            .ThenBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

    private sealed record BestHeader(string Model, string Phase, string Run);

    /// <summary>A checkpoint file and what its name says: its model, run (start and id) and number; no run for a file of an older ModelGen.</summary>
    private sealed partial record CheckpointName(string Path, string? Model, string? Run, long Sequence)
    {
        public static CheckpointName Of(string path)
        {
            var match = Pattern().Match(System.IO.Path.GetFileName(path));
            return match.Success && long.TryParse(match.Groups["sequence"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                ? new CheckpointName(path, match.Groups["model"].Value, match.Groups["run"].Value, sequence)
                : new CheckpointName(path, null, null, 0);
        }

        [GeneratedRegex(@"^ckpt-(?<model>.+?)-(?<run>\d{8}T\d{9}-[0-9a-f]{12})-(?<sequence>\d{6,18})-.*\.mgckpt$", RegexOptions.CultureInvariant)]
        private static partial Regex Pattern();
    }
}
