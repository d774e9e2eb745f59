using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using ModelGen.Data;
using ModelGen.Progress;
using ModelGen.Reports;
using ModelGen.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// One call of a generated <c>Train</c>: the history across phases, checkpoints and resuming, and the files
/// written at the end (history as CSV and JSON, training curves as PNG, the report page report.html). The generated
/// loops call it for the machinery; the loops themselves are in the generated code. Messages go to <see cref="TrainOptions.Logger"/>,
/// else to the model's <see cref="ModelOptions.Logger"/>.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class TrainingRun : IDisposable
{
    private readonly nn.Module _model;
    private readonly string _modelName;
    private readonly TrainOptions _options;
    private readonly EarlyStoppingSettings? _earlyStopping;
    private readonly int _seed;
    private readonly RunFingerprint _fingerprint;
    private readonly ILogger _logger;
    private readonly CheckpointStore? _store;
    private readonly CheckpointWriter? _checkpoints;
    private readonly CompletedPhases _completed = new();
    private readonly WeightAverage? _average;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private (CheckpointState State, byte[] Optimizer)? _resume;
    private bool _ended;

    private TrainingRun(nn.Module model, string modelName, TrainOptions options, CheckpointStore? store, EarlyStoppingSettings? earlyStopping, RunFingerprint fingerprint, ILogger logger, EmaSettings? ema)
    {
        _average = ema is null ? null : new WeightAverage(model, ema.Decay);
        _model = model;
        _modelName = modelName;
        _options = options;
        _store = store;
        _earlyStopping = earlyStopping;
        _seed = fingerprint.Seed;
        _fingerprint = fingerprint;
        _logger = logger;
        _checkpoints = store is null ? null : new CheckpointWriter(store, model, modelName, RunStamp.Fresh(fingerprint), History, _completed, logger, _average);
        OutputDirectory = Path.GetFullPath(options.OutputDirectory ?? Path.Combine("training", modelName));
    }

    /// <summary>Every epoch run so far (with those of a resumed run).</summary>
    public TrainingHistory History { get; } = new();

    /// <summary>Where the history, the curves and the report are written.</summary>
    public string OutputDirectory { get; }

    /// <summary>
    /// Starts a run. Every checkpoint it writes records the run: <paramref name="identity"/>, the seed, the
    /// layout of the model's weights, and a run id. With <see cref="TrainOptions.Resume"/>, the model's newest
    /// whole checkpoint is loaded into the model and training continues after its last completed epoch, when
    /// it is of the same training; a checkpoint of another shape, plan, data or seed is a
    /// <see cref="CheckpointException"/> that says what differs. A fresh run never resumes, and removes older
    /// runs' checkpoints only to make room for its own. Messages go to <see cref="TrainOptions.Logger"/>, else
    /// to <paramref name="modelOptions"/>' <see cref="ModelOptions.Logger"/>.
    /// </summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="modelName">The generated class's name.</param>
    /// <param name="options">Resuming, folders, progress; null for the defaults.</param>
    /// <param name="checkpoints">The spec's checkpoint settings; null for none (unless the options name a folder).</param>
    /// <param name="earlyStopping">The spec's early stopping; null for none.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="modelOptions">The model's options, for their logger.</param>
    /// <param name="identity">
    /// What the run trains (shape, plan, data), as generated code knows it; null for a run started by hand,
    /// whose checkpoints then tell runs apart by the layout of the model's weights and the seed alone.
    /// </param>
    /// <param name="ema">
    /// The spec's <c>training.ema</c>, or null: an average of the trained weights, which validation scores, checkpoints
    /// carry and the model holds when the run finishes.
    /// </param>
    /// <exception cref="CheckpointException">Resuming, and the newest checkpoint is of another run, or of another version of ModelGen.</exception>
    public static TrainingRun Start(nn.Module model, string modelName, TrainOptions? options, CheckpointSettings? checkpoints, EarlyStoppingSettings? earlyStopping, int seed, ModelOptions? modelOptions = null, RunIdentity? identity = null, EmaSettings? ema = null)
    {
        identity ??= RunIdentity.Unknown;
        modelOptions ??= new ModelOptions();
        options ??= new TrainOptions();
        var logger = options.Logger ?? modelOptions.Logger;
        var directory = options.CheckpointDirectory ?? checkpoints?.Directory;
        if (checkpoints is null && options.CheckpointDirectory is not null && identity != RunIdentity.Unknown)
        {
            // The spec said checkpoints: none; the code's folder wins, but not silently.
            logger.CheckpointsDespiteSpec(modelName, Path.GetFullPath(options.CheckpointDirectory));
        }

        var store = directory is null ? null : new CheckpointStore(directory, checkpoints?.Keep ?? 3, logger);
        var fingerprint = new RunFingerprint(identity.Shape, WeightsLayout.Of(model), identity.Plan, identity.Data, seed);
        foreach (var head in model.modules().OfType<Heads.Head>())
        {
            head.IsTrained = true; // from the first epoch on, the head's weights are its own
        }

        var run = new TrainingRun(model, modelName, options, store, earlyStopping, fingerprint, logger, ema);
        if (options.Resume)
        {
            run.LoadLatest();
        }

        return run;
    }

    /// <summary>
    /// Logs once, as a phase starts (event <see cref="LogEvents.BatchesMixed"/>), how it mixes its training batches
    /// (augment.mixup, augment.cutmix), or, for a phase on fixed features (<paramref name="onImages"/> false), that it
    /// does not: mixing applies where images are trained on.
    /// </summary>
    public void LogMixing(string phase, Augmentation augmentation, bool onImages)
    {
        ArgumentNullException.ThrowIfNull(augmentation);
        if (augmentation.HasMixing)
        {
            _logger.BatchesMixed(_modelName, phase, onImages ? MixingText(augmentation) : "trains on fixed features, so its batches are not mixed (MixUp and CutMix apply where images are trained on)");
        }
    }

    private static string MixingText(Augmentation a)
    {
        var parts = new List<string>();
        if (a.MixUpAlpha > 0)
        {
            parts.Add(FormattableString.Invariant($"MixUp (alpha {a.MixUpAlpha:0.###})"));
        }

        if (a.CutMixAlpha > 0)
        {
            parts.Add(FormattableString.Invariant($"CutMix (alpha {a.CutMixAlpha:0.###})"));
        }

        var which = parts.Count == 2 ? "either " + string.Join(" or ", parts) + ", each picked with probability 0.5," : parts[0];
        return FormattableString.Invariant($"training batches mixed with {which} with probability {a.MixProbability:0.###} per batch; accuracy counts against the larger share of each mixed target; validation is not mixed");
    }

    /// <summary>Whether a resumed run had already finished this phase.</summary>
    public bool IsPhaseDone(string phase) => _completed.Contains(phase);

    /// <summary>
    /// Starts a phase: its epochs (capped by <see cref="TrainOptions.MaxEpochsPerPhase"/>), optimizer and schedule. With
    /// <paramref name="steps"/>, the loop calls <see cref="PhaseRun.Step"/> for each batch (gradient accumulation and
    /// clipping, a schedule that sets the rate every step, the weight average); a schedule that sets the rate every
    /// step needs them, to count the steps of an epoch.
    /// </summary>
    /// <exception cref="ArgumentException">The schedule sets the rate every step, and <paramref name="steps"/> is null.</exception>
    public PhaseRun BeginPhase(string name, int epochs, optim.Optimizer optimizer, LearningRateSchedule? schedule, long samples, StepSettings? steps = null)
    {
        if (schedule is { SetsRatePerStep: true } && steps is null)
        {
            throw new ArgumentException($"The schedule of phase {name} ({schedule.Description}) sets the learning rate every optimizer step: pass the phase's step settings.", nameof(steps));
        }

        var effective = _options.MaxEpochsPerPhase is { } cap ? Math.Min(epochs, Math.Max(1, cap)) : epochs;
        _average?.TrackTrainable();
        var gradientSteps = steps is null ? null : new GradientSteps(optimizer, steps, samples, schedule, _average);
        var bookkeeping = new EpochBookkeeping(_modelName, name, effective, samples, _options.Progress, _logger, History);
        var earlyStopping = _earlyStopping is null ? null
            : new EarlyStopper(_earlyStopping, _earlyStopping.RestoreBest ? new BestWeights(_model, _checkpoints?.Store, _modelName, name, _checkpoints?.Run.Id ?? "", _logger) : null, _logger, _modelName, name);
        var phase = new PhaseRun(_model, _modelName, name, effective, _seed, optimizer, bookkeeping, new PhaseSchedule(schedule), earlyStopping, _completed, _checkpoints, gradientSteps, _average);
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

    /// <summary>Ends the run: writes history.csv, history.json and curves.png, and returns the history.</summary>
    public TrainingHistory Finish() => Finish(null, null, NoValidation);

    /// <summary>
    /// Ends the run: writes history.csv, history.json, curves.png and report.html, which scores the trained model on
    /// <paramref name="validation"/> (confusion matrix, per-class figures, the images with the highest loss), and
    /// returns the history. A report that cannot be written is a warning (<see cref="LogEvents.ReportNotWritten"/>).
    /// </summary>
    /// <param name="validation">The validation images; null when there were none (the report says so).</param>
    /// <param name="report">What the report shows of the model, and how the model scores images.</param>
    public TrainingHistory Finish(ImageFolder? validation, ReportSubject report) => validation is null
        ? Finish(report, null, NoValidation)
        : Finish(report, subject => ScoredSet.Of(subject, validation), $"validation images: {validation.Name}");

    /// <summary>As <see cref="Finish(ImageFolder, ReportSubject)"/>, for a run on features: the report scores the validation features.</summary>
    /// <param name="validation">The validation features; null when there were none (the report says so).</param>
    /// <param name="report">What the report shows of the model, and how the model scores features.</param>
    public TrainingHistory Finish(FeatureSet? validation, ReportSubject report) => validation is null
        ? Finish(report, null, NoValidation)
        : Finish(report, subject => ScoredSet.Of(subject, validation), $"validation features ({validation.Count} samples)");

    private const string NoValidation = "no validation data";

    private TrainingHistory Finish(ReportSubject? subject, Func<ReportSubject, ScoredSet>? score, string data)
    {
        _ended = true;
        _average?.CopyIntoModel(); // training.ema: the trained model is the averaged one (the report scores it, Save writes it)
        var curves = WriteHistory();
        var report = subject is null ? "none" : WriteReport(subject, score, data, curves);
        if (_options.Progress != ProgressMode.None)
        {
            _logger.TrainingFinished(_modelName, History.Epochs.Count, _clock.Elapsed.TotalSeconds, OutputDirectory, _store is null ? "off" : "in " + _store.Directory, report);
        }

        return new TrainingHistory(History.Epochs);
    }

    // report.html beside the history; whatever goes wrong in making it is a warning, and the run's result stands.
    private string WriteReport(ReportSubject subject, Func<ReportSubject, ScoredSet>? score, string data, byte[]? curves)
    {
        var path = Path.Combine(OutputDirectory, ReportFile.Name);
        var seconds = _clock.Elapsed.TotalSeconds;
        var unscored = score is null
            ? "There is no validation data, so the model was not scored: pass validation data to Train (or set training.validation_split in the spec) to see the confusion matrix, per-class figures and the images it gets wrong."
            : null;
        var written = ReportFile.TryWrite(
            () => new RunReport(subject, "training run", data, score?.Invoke(subject), unscored, new TrainingHistory(History.Epochs), curves, seconds),
            _modelName,
            path,
            _logger);
        return written ? path : "not written (see the warning above)";
    }

    /// <summary>
    /// Ends a run that did not reach <see cref="Finish()"/> (training threw, or the caller stopped): the history
    /// and curves of the epochs run so far are still written, so a crash does not lose them. A failure to
    /// write them is logged (<see cref="LogEvents.HistoryNotWritten"/>), not thrown.
    /// </summary>
    public void Dispose()
    {
        _average?.Dispose();
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (History.Epochs.Count == 0)
        {
            return;
        }

        try
        {
            WriteHistory();
            _logger.TrainingInterrupted(_modelName, History.Epochs.Count, OutputDirectory);
        }
        catch (Exception e)
        {
            // Dispose runs while the training's own exception unwinds: whatever goes wrong here (the disk,
            // the plotting library) is reported and must not replace that exception.
            _logger.HistoryNotWritten(e, _modelName, History.Epochs.Count, OutputDirectory);
        }
    }

    private byte[]? WriteHistory()
    {
        Directory.CreateDirectory(OutputDirectory);
        AtomicFile.Write(Path.Combine(OutputDirectory, "history.csv"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(History.ToCsv())));
        AtomicFile.Write(Path.Combine(OutputDirectory, "history.json"), s => s.Write(System.Text.Encoding.UTF8.GetBytes(History.ToJson())));
        return History.Epochs.Count > 0 ? TrainingCurves.Save(History, Path.Combine(OutputDirectory, "curves.png"), _modelName) : null;
    }

    private void LoadLatest()
    {
        if (_store?.Latest(_modelName) is not { } latest)
        {
            _logger.NothingToResume(_modelName, _store is null ? "checkpoints are off" : "none in " + _store.Directory);
            return;
        }

        var differences = _fingerprint.DifferencesFrom(latest.State.Run.Fingerprint);
        if (differences.Count > 0)
        {
            throw new CheckpointException(
                $"{_modelName} cannot resume from {latest.Path}: that checkpoint is of another training run: {string.Join("; ", differences)}. "
                + $"Train without Resume to start a fresh run (its checkpoints then replace the older runs' in {_store.Directory}), "
                + "or set TrainOptions.CheckpointDirectory to another folder to keep them.");
        }

        IReadOnlyCollection<string> trained;
        try
        {
            // A checkpoint holds what trained; the frozen layers are the pretrained weights the model was created with.
            trained = StateBytes.LoadPart(_model, latest.Model);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The checksum matched and the layout is the same, so the file is as written: forged, or damaged before it was written.
            throw new CheckpointException(
                $"{_modelName} cannot resume from {latest.Path}: its weights do not load into the model ({e.Message}). "
                + $"Train without Resume to start a fresh run, or delete the checkpoint from {_store.Directory}.",
                e);
        }

        foreach (var epoch in latest.State.History)
        {
            History.Add(epoch);
        }

        foreach (var phase in latest.State.PhasesDone)
        {
            _completed.Add(phase);
        }

        if (_average is not null && latest.Average is { } average)
        {
            try
            {
                _average.Load(average);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or ExternalException)
            {
                throw new CheckpointException(
                    $"{_modelName} cannot resume from {latest.Path}: its weight average does not load into the model ({e.Message}). "
                    + $"Train without Resume to start a fresh run, or delete the checkpoint from {_store.Directory}.",
                    e);
            }
        }

        _checkpoints?.ContinueAfter(latest.State.Run, latest.State.Sequence, trained);
        _resume = (latest.State, latest.Optimizer);
        _logger.Resuming(_modelName, Path.GetFileName(latest.Path), latest.State.Phase, latest.State.EpochsDone);
    }
}
