using System.Globalization;
using ModelGen.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// One call of a generated <c>Train</c>: the history across phases, checkpoints and resuming, progress,
/// and the files written at the end (history as CSV and JSON, training curves as PNG). The generated
/// loops call it for the machinery; the loops themselves are in the generated code.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly List<string> _phasesDone = [];
    private (CheckpointState State, byte[] Optimizer)? _resume;

    private TrainingRun(nn.Module model, string modelName, TrainOptions options, CheckpointStore? store, EarlyStoppingSettings? earlyStopping, int seed)
    {
        Model = model;
        ModelName = modelName;
        Options = options;
        Store = store;
        EarlyStopping = earlyStopping;
        Seed = seed;
        Log = options.Log ?? Console.Out;
        OutputDirectory = Path.GetFullPath(options.OutputDirectory ?? store?.Directory ?? Path.Combine("training", modelName));
    }

    internal nn.Module Model { get; }

    internal string ModelName { get; }

    internal TrainOptions Options { get; }

    internal CheckpointStore? Store { get; }

    internal EarlyStoppingSettings? EarlyStopping { get; }

    internal int Seed { get; }

    internal TextWriter Log { get; }

    internal int Sequence { get; set; }

    /// <summary>Every epoch run so far (with those of a resumed run).</summary>
    public TrainingHistory History { get; private set; } = new();

    /// <summary>Where the history and the curves are written.</summary>
    public string OutputDirectory { get; }

    internal IReadOnlyList<string> PhasesDone => _phasesDone;

    /// <summary>
    /// Starts a run. With <see cref="TrainOptions.Resume"/>, the newest whole checkpoint is loaded into the
    /// model and training continues after its last completed epoch.
    /// </summary>
    public static TrainingRun Start(nn.Module model, string modelName, TrainOptions? options, CheckpointSettings? checkpoints, EarlyStoppingSettings? earlyStopping, int seed)
    {
        options ??= new TrainOptions();
        var directory = options.CheckpointDirectory ?? checkpoints?.Directory;
        var store = directory is null ? null : new CheckpointStore(directory, checkpoints?.Keep ?? 3);
        var run = new TrainingRun(model, modelName, options, store, earlyStopping, seed);
        if (options.Resume)
        {
            run.LoadLatest();
        }

        return run;
    }

    /// <summary>Whether a resumed run had already finished this phase.</summary>
    public bool IsPhaseDone(string phase) => _phasesDone.Contains(phase);

    /// <summary>Starts a phase: its epochs (capped by <see cref="TrainOptions.MaxEpochsPerPhase"/>), optimizer and schedule.</summary>
    public PhaseRun BeginPhase(string name, int epochs, optim.Optimizer optimizer, LearningRateSchedule? schedule, long samples)
    {
        var effective = Options.MaxEpochsPerPhase is { } cap ? Math.Min(epochs, Math.Max(1, cap)) : epochs;
        var phase = new PhaseRun(this, name, effective, optimizer, schedule, samples);
        if (IsPhaseDone(name))
        {
            phase.SkipAll();
        }
        else if (_resume is { } resume && resume.State.Phase == name)
        {
            phase.ResumeFrom(resume.State, resume.Optimizer);
            _resume = null;
        }

        return phase;
    }

    internal void MarkDone(string phase)
    {
        if (!_phasesDone.Contains(phase))
        {
            _phasesDone.Add(phase);
        }
    }

    /// <summary>Ends the run: writes history.csv, history.json and curves.png, and returns the history.</summary>
    public TrainingHistory Finish()
    {
        Directory.CreateDirectory(OutputDirectory);
        AtomicFile.Write(Path.Combine(OutputDirectory, "history.csv"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(History.ToCsv())));
        AtomicFile.Write(Path.Combine(OutputDirectory, "history.json"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(History.ToJson())));
        if (History.Epochs.Count > 0)
        {
            TrainingCurves.Save(History, Path.Combine(OutputDirectory, "curves.png"), ModelName);
        }

        if (Options.Progress != ProgressMode.None)
        {
            if (History.Epochs.Count > 0)
            {
                Log.Write(TrainingSummary.Format(History));
            }

            Log.WriteLine($"{ModelName}: {History.Epochs.Count} epochs; history and curves in {OutputDirectory}");
        }

        return new TrainingHistory(History.Epochs);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void LoadLatest()
    {
        if (Store?.Latest(ModelName) is not { } latest)
        {
            Log.WriteLine($"{ModelName}: no checkpoint to resume from{(Store is null ? " (checkpoints are off)" : " in " + Store.Directory)}; starting fresh.");
            return;
        }

        using (var stream = new MemoryStream(latest.Model))
        {
            Model.load(stream);
        }

        History = new TrainingHistory(latest.State.History);
        Sequence = latest.State.Sequence;
        foreach (var phase in latest.State.PhasesDone)
        {
            MarkDone(phase);
        }

        _resume = (latest.State, latest.Optimizer);
        Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ModelName}: resuming from {Path.GetFileName(latest.Path)} (phase {latest.State.Phase}, {latest.State.EpochsDone} epochs done)."));
    }
}
