using System.Diagnostics;
using Microsoft.Extensions.Logging;

using ModelGen.Progress;
namespace ModelGen.Training;

/// <summary>
/// The epochs of one phase: each epoch's clock and progress display, its entry in the run's history, and
/// the lines that end each epoch and the phase on the logger (unless progress is <see cref="ProgressMode.None"/>).
/// </summary>
internal sealed class EpochBookkeeping : IDisposable
{
    private readonly string _model;
    private readonly string _phase;
    private readonly int _epochs;
    private readonly long _samples;
    private readonly ProgressMode _mode;
    private readonly ILogger _logger;
    private readonly TrainingHistory _history;
    private ProgressDisplay? _progress;
    private long _started;

    public EpochBookkeeping(string model, string phase, int epochs, long samples, ProgressMode mode, ILogger logger, TrainingHistory history)
    {
        _model = model;
        _phase = phase;
        _epochs = epochs;
        _samples = samples;
        _mode = ProgressDisplay.Resolve(mode);
        _logger = logger;
        _history = history;
    }

    /// <summary>The phase's epochs in the history so far (with those of a resumed run).</summary>
    public IEnumerable<EpochResult> Completed => _history.Epochs.Where(e => e.Phase == _phase);

    /// <summary>Starts epoch <paramref name="epoch"/> (from 0); the metrics move its progress display.</summary>
    public EpochMetrics Begin(int epoch)
    {
        _progress?.Dispose();
        _started = Stopwatch.GetTimestamp();
        _progress = _mode == ProgressMode.None ? null : ProgressDisplay.Start($"{_model} {_phase} epoch {epoch + 1}/{_epochs}", _samples, "samples", _mode, _logger);
        return new EpochMetrics(_progress);
    }

    /// <summary>Ends the epoch: records it in the history and logs its line; returns what was recorded.</summary>
    public EpochResult End(EpochMetrics metrics, EvaluationResult? validation, double learningRate)
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        _progress?.Dispose();
        _progress = null;
        var epoch = Completed.Count() + 1;
        var rate = metrics.Count / Math.Max(seconds, 1e-9);
        var classified = validation is { IsRegression: false } ? validation : null;
        var result = new EpochResult(_phase, epoch, metrics.Loss, metrics.Accuracy, validation?.Loss, classified?.Accuracy, learningRate, seconds, rate)
        {
            ValPerClass = classified?.PerClass,
            ValMacroF1 = classified?.MacroF1,
            ValMacroRocAuc = classified?.MacroRocAuc,
            MeanAbsoluteError = metrics.MeanAbsoluteError,
            ValMeanAbsoluteError = validation?.MeanAbsoluteError,
            ValRootMeanSquaredError = validation?.RootMeanSquaredError,
            ValRSquared = validation?.RSquared,
            ValPerTarget = validation?.PerTarget,
        };
        _history.Add(result);
        if (_mode == ProgressMode.None)
        {
            return result;
        }

        if (result.MeanAbsoluteError is { } mae)
        {
            // Regression has no accuracy: the mean absolute error shows in its place, and R² beside the validation loss.
            if (validation is null)
            {
                _logger.RegressionEpochCompleted(_model, _phase, epoch, _epochs, result.Loss, mae, learningRate, seconds, rate);
            }
            else
            {
                _logger.RegressionEpochCompletedWithValidation(_model, _phase, epoch, _epochs, result.Loss, mae, validation.Loss, result.ValMeanAbsoluteError ?? double.NaN, result.ValRSquared ?? double.NaN, learningRate, seconds, rate);
            }
        }
        else if (validation is null)
        {
            _logger.EpochCompleted(_model, _phase, epoch, _epochs, result.Loss, result.Accuracy, learningRate, seconds, rate);
        }
        else
        {
            _logger.EpochCompletedWithValidation(_model, _phase, epoch, _epochs, result.Loss, result.Accuracy, validation.Loss, validation.Accuracy, learningRate, seconds, rate);
        }

        return result;
    }

    /// <summary>Logs the line that sums up the phase: its epochs (with those before a resume), time, speed and last values.</summary>
    public void Finish()
    {
        var epochs = Completed.ToList();
        if (_mode == ProgressMode.None || epochs.Count == 0)
        {
            return;
        }

        var (last, seconds, rate) = (epochs[^1], epochs.Sum(e => e.Seconds), epochs.Average(e => e.SamplesPerSecond));
        if (last is { MeanAbsoluteError: { } mae })
        {
            if (last is { ValLoss: { } regressionValLoss, ValRSquared: { } valR2 })
            {
                _logger.RegressionPhaseFinishedWithValidation(_model, _phase, epochs.Count, seconds, rate, last.Loss, mae, regressionValLoss, last.ValMeanAbsoluteError ?? double.NaN, valR2, epochs.Max(e => e.ValRSquared ?? double.NegativeInfinity));
            }
            else
            {
                _logger.RegressionPhaseFinished(_model, _phase, epochs.Count, seconds, rate, last.Loss, mae);
            }
        }
        else if (last is { ValLoss: { } valLoss, ValAccuracy: { } valAccuracy })
        {
            _logger.PhaseFinishedWithValidation(_model, _phase, epochs.Count, seconds, rate, last.Loss, last.Accuracy, valLoss, valAccuracy, epochs.Max(e => e.ValAccuracy ?? 0));
        }
        else
        {
            _logger.PhaseFinished(_model, _phase, epochs.Count, seconds, rate, last.Loss, last.Accuracy);
        }
    }

    public void Dispose() => _progress?.Dispose();
}
