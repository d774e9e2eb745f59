using System.Globalization;
using ModelGen.Progress;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// One phase of a run: epoch bookkeeping, progress, the learning-rate schedule, early stopping (with the
/// best weights kept) and a checkpoint after every epoch.
/// </summary>
public sealed class PhaseRun : IDisposable
{
    private readonly TrainingRun _run;
    private readonly optim.Optimizer _optimizer;
    private readonly LearningRateSchedule? _schedule;
    private readonly long _samples;
    private Dictionary<string, Tensor>? _best;
    private double? _bestValue;
    private int _bestEpoch;
    private int _wait;
    private bool _warnedMonitor;
    private ProgressDisplay? _progress;
    private DateTime _epochStart;

    internal PhaseRun(TrainingRun run, string name, int epochs, optim.Optimizer optimizer, LearningRateSchedule? schedule, long samples)
    {
        _run = run;
        Name = name;
        Epochs = epochs;
        _optimizer = optimizer;
        _schedule = schedule;
        _samples = samples;
    }

    /// <summary>The phase's name.</summary>
    public string Name { get; }

    /// <summary>Epochs this phase runs (the spec's, or fewer when capped).</summary>
    public int Epochs { get; }

    /// <summary>The first epoch to run (0, or after the last completed one when resuming).</summary>
    public int FirstEpoch { get; private set; }

    /// <summary>The seed for an epoch's shuffling and augmentation: fixed by the run's seed, the phase and the epoch.</summary>
    public int EpochSeed(int epoch)
    {
        var hash = 17;
        foreach (var c in Name)
        {
            hash = unchecked((hash * 31) + c);
        }

        return unchecked((_run.Seed * 7919) + (hash * 104729) + epoch);
    }

    /// <summary>Starts an epoch of <paramref name="batches"/> batches; the returned metrics also move the progress bar.</summary>
    public EpochMetrics BeginEpoch(int epoch, int batches)
    {
        _ = batches;
        _epochStart = DateTime.UtcNow;
        var mode = _run.Options.Progress;
        _progress = mode == ProgressMode.None ? null : ProgressDisplay.Start($"{_run.ModelName} {Name} epoch {epoch + 1}/{Epochs}", _samples, "samples", mode, _run.Log);
        return new EpochMetrics(_progress);
    }

    /// <summary>
    /// Ends an epoch: records it, steps the schedule, updates early stopping and writes a checkpoint.
    /// Returns false when early stopping ends the phase.
    /// </summary>
    public bool EndEpoch(EpochMetrics metrics, EvaluationResult? validation)
    {
        var epoch = _run.History.Epochs.Count(e => e.Phase == Name) + 1;
        var seconds = (DateTime.UtcNow - _epochStart).TotalSeconds;
        var result = new EpochResult(Name, epoch, metrics.Loss, metrics.Accuracy, validation?.Loss, validation?.Accuracy, Optimizers.LearningRate(_optimizer), seconds, metrics.Count / Math.Max(seconds, 1e-9));
        _run.History.Add(result);
        var line = string.Create(CultureInfo.InvariantCulture, $"loss {result.Loss:0.0000} acc {result.Accuracy:0.0000}")
            + (validation is null ? "" : string.Create(CultureInfo.InvariantCulture, $" val_loss {result.ValLoss:0.0000} val_acc {result.ValAccuracy:0.0000}"))
            + string.Create(CultureInfo.InvariantCulture, $" lr {result.LearningRate:G3}");
        _progress?.Complete(line);
        _progress?.Dispose();
        _progress = null;

        _schedule?.Step(validation?.Loss ?? metrics.Loss);
        var stop = UpdateEarlyStopping(result);
        var done = stop || epoch >= Epochs;
        if (done)
        {
            RestoreBestIfAsked(epoch);
            _run.MarkDone(Name);
        }

        SaveCheckpoint(epoch);
        NativeHeap.Release();
        return !stop;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _progress?.Dispose();
        if (_best is not null)
        {
            foreach (var tensor in _best.Values)
            {
                tensor.Dispose();
            }
        }
    }

    internal void SkipAll() => FirstEpoch = Epochs;

    internal void ResumeFrom(CheckpointState state, byte[] optimizerState)
    {
        if (optimizerState.Length > 0 && _optimizer is OptimizerHelper helper)
        {
            using var reader = new BinaryReader(new MemoryStream(optimizerState));
            helper.load_state_dict(reader);
        }

        FirstEpoch = Math.Min(state.EpochsDone, Epochs);
        _bestValue = state.BestValue;
        _bestEpoch = state.BestEpoch;
        _wait = state.Wait;
        if (_run.Store is not null && _run.EarlyStopping?.RestoreBest == true)
        {
            if (_run.Store.TryLoadBest(_run.ModelName, Name, out var problem) is { } kept)
            {
                using var best = new MemoryStream(kept);
                _best = LoadStateCopy(best);
            }
            else if (problem is not null)
            {
                _run.Log.WriteLine($"warning: {problem}");
            }
        }

        // Replay the schedule over the completed epochs so the learning rate continues where it was.
        foreach (var done in _run.History.Epochs.Where(e => e.Phase == Name))
        {
            _schedule?.Step(done.ValLoss ?? done.Loss);
        }
    }

    private bool UpdateEarlyStopping(EpochResult result)
    {
        if (_run.EarlyStopping is not { } settings)
        {
            return false;
        }

        var monitor = settings.Monitor;
        var value = monitor switch
        {
            EarlyStoppingMonitor.ValLoss => result.ValLoss,
            EarlyStoppingMonitor.ValAccuracy => result.ValAccuracy,
            EarlyStoppingMonitor.Accuracy => result.Accuracy,
            _ => result.Loss,
        };
        var maximize = monitor is EarlyStoppingMonitor.ValAccuracy or EarlyStoppingMonitor.Accuracy;
        if (value is null)
        {
            var fallback = maximize ? EarlyStoppingMonitor.Accuracy : EarlyStoppingMonitor.Loss;
            if (!_warnedMonitor)
            {
                _run.Log.WriteLine($"warning: early stopping monitors {Shared.SpecWords.Monitors.WordOf(monitor)}, but there is no validation data; watching {Shared.SpecWords.Monitors.WordOf(fallback)} instead.");
                _warnedMonitor = true;
            }

            value = maximize ? result.Accuracy : result.Loss;
        }

        var improved = _bestValue is not { } best || (maximize ? value > best + settings.MinDelta : value < best - settings.MinDelta);
        if (improved)
        {
            _bestValue = value;
            _bestEpoch = result.Epoch;
            _wait = 0;
            if (settings.RestoreBest)
            {
                KeepBest();
            }

            return false;
        }

        _wait++;
        if (_wait >= settings.Patience)
        {
            _run.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_run.ModelName} {Name}: early stopping after epoch {result.Epoch}: {Shared.SpecWords.Monitors.WordOf(monitor)} has not improved for {_wait} epochs (best {_bestValue:0.0000} at epoch {_bestEpoch})."));
            return true;
        }

        return false;
    }

    private void KeepBest()
    {
        if (_best is not null)
        {
            foreach (var tensor in _best.Values)
            {
                tensor.Dispose();
            }
        }

        _best = _run.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        _run.Store?.SaveBest(_run.ModelName, Name, ModelState(_run.Model));
    }

    private void RestoreBestIfAsked(int lastEpoch)
    {
        if (_run.EarlyStopping is not { RestoreBest: true } || _best is null || _bestEpoch == lastEpoch)
        {
            return;
        }

        _run.Model.load_state_dict(_best, strict: true);
        _run.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_run.ModelName} {Name}: restored the weights of epoch {_bestEpoch} ({Shared.SpecWords.Monitors.WordOf(_run.EarlyStopping.Monitor)} {_bestValue:0.0000})."));
    }

    private void SaveCheckpoint(int epoch)
    {
        if (_run.Store is null)
        {
            return;
        }

        _run.Sequence++;
        var state = new CheckpointState(_run.ModelName, _run.Sequence, Name, epoch, _run.PhasesDone.ToArray(), _run.History.Epochs.ToArray(), _bestValue, _bestEpoch, _wait);
        var optimizer = Array.Empty<byte>();
        if (_optimizer is OptimizerHelper helper)
        {
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                helper.save_state_dict(writer);
            }

            optimizer = buffer.ToArray();
        }

        _run.Store.Save(state, ModelState(_run.Model), optimizer);
    }

    private static byte[] ModelState(nn.Module model)
    {
        using var buffer = new MemoryStream();
        model.save(buffer);
        return buffer.ToArray();
    }

    private Dictionary<string, Tensor> LoadStateCopy(Stream stream)
    {
        // Load into the model, copy the values, then put the current values back.
        var current = _run.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        _run.Model.load(stream);
        var copy = _run.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        _run.Model.load_state_dict(current, strict: true);
        foreach (var tensor in current.Values)
        {
            tensor.Dispose();
        }

        return copy;
    }
}
