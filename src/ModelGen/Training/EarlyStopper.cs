using Microsoft.Extensions.Logging;

namespace ModelGen.Training;

/// <summary>Early stopping's progress within a phase, as checkpoints record it.</summary>
/// <param name="BestValue">The best monitored value so far, or null before the first epoch.</param>
/// <param name="BestEpoch">The epoch (from 1) that had it.</param>
/// <param name="Wait">Epochs since the best one.</param>
internal readonly record struct EarlyStoppingProgress(double? BestValue, int BestEpoch, int Wait)
{
    /// <summary>No early stopping, or nothing seen yet.</summary>
    public static EarlyStoppingProgress None => new(null, 0, 0);
}

/// <summary>
/// Early stopping within one phase (spec key: <c>training.early_stopping</c>): watches the monitored value
/// of each epoch, ends the phase after <c>patience</c> epochs without an improvement of at least
/// <c>min_delta</c>, and with <c>restore_best</c> keeps the best epoch's weights and ends the phase with them.
/// </summary>
internal sealed class EarlyStopper : IDisposable
{
    private readonly EarlyStoppingSettings _settings;
    private readonly BestWeights? _best;
    private readonly ILogger _logger;
    private readonly string _model;
    private readonly string _phase;
    private bool _warnedMonitor;

    /// <param name="settings">The spec's early stopping.</param>
    /// <param name="best">Where the best weights are kept; null unless <see cref="EarlyStoppingSettings.RestoreBest"/>.</param>
    /// <param name="logger">Where stopping, restoring and a monitor without validation data are reported.</param>
    /// <param name="model">The model's name, for messages.</param>
    /// <param name="phase">The phase's name, for messages.</param>
    public EarlyStopper(EarlyStoppingSettings settings, BestWeights? best, ILogger logger, string model, string phase)
    {
        _settings = settings;
        _best = best;
        _logger = logger;
        _model = model;
        _phase = phase;
    }

    public EarlyStoppingProgress Progress { get; private set; } = EarlyStoppingProgress.None;

    private string MonitorWord => Shared.SpecWords.Monitors.WordOf(_settings.Monitor);

    /// <summary>Continues a resumed phase where its checkpoint left early stopping (with the best weights kept on disk).</summary>
    public void Resume(EarlyStoppingProgress progress)
    {
        Progress = progress;
        _best?.LoadSaved();
    }

    /// <summary>Takes an epoch's result into account; returns true when the phase should stop.</summary>
    public bool Observe(EpochResult result)
    {
        var monitor = _settings.Monitor;
        var maximize = monitor is EarlyStoppingMonitor.ValAccuracy or EarlyStoppingMonitor.Accuracy;
        var value = monitor switch
        {
            EarlyStoppingMonitor.ValLoss => result.ValLoss,
            EarlyStoppingMonitor.ValAccuracy => result.ValAccuracy,
            EarlyStoppingMonitor.Accuracy => result.Accuracy,
            _ => result.Loss,
        };
        if (value is null)
        {
            if (!_warnedMonitor)
            {
                var fallback = maximize ? EarlyStoppingMonitor.Accuracy : EarlyStoppingMonitor.Loss;
                _logger.MonitorWithoutValidation(_model, _phase, MonitorWord, Shared.SpecWords.Monitors.WordOf(fallback));
                _warnedMonitor = true;
            }

            value = maximize ? result.Accuracy : result.Loss;
        }

        var improved = Progress.BestValue is not { } best || (maximize ? value > best + _settings.MinDelta : value < best - _settings.MinDelta);
        if (improved)
        {
            Progress = new EarlyStoppingProgress(value, result.Epoch, Wait: 0);
            _best?.Keep();
            return false;
        }

        Progress = Progress with { Wait = Progress.Wait + 1 };
        if (Progress.Wait >= _settings.Patience)
        {
            _logger.EarlyStopped(_model, _phase, result.Epoch, MonitorWord, Progress.Wait, Progress.BestValue ?? double.NaN, Progress.BestEpoch);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Ends the phase with the best epoch's weights, when they are kept and <paramref name="lastEpoch"/> was not the
    /// best; returns whether it put them into the model.
    /// </summary>
    public bool RestoreBest(int lastEpoch)
    {
        if (_best is not { IsKept: true } || Progress.BestEpoch == lastEpoch)
        {
            return false;
        }

        _best.Restore();
        _logger.BestWeightsRestored(_model, _phase, Progress.BestEpoch, MonitorWord, Progress.BestValue ?? double.NaN);
        return true;
    }

    public void Dispose() => _best?.Dispose();
}
