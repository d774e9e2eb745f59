using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// One phase of a run, as the generated loop drives it: <see cref="BeginEpoch(int)"/> and
/// <see cref="EndEpoch"/> around each epoch, and <see cref="Step"/> for each batch when the phase accumulates
/// gradients, clips them, averages the weights or sets the learning rate every step. It orchestrates the phase's
/// collaborators: the epoch bookkeeping (history, progress, the epoch's line), the optimizer steps, the
/// learning-rate schedule, the weight average, early stopping (with the best weights) and a checkpoint after every epoch.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class PhaseRun : IDisposable
{
    private readonly nn.Module _model;
    private readonly string _modelName;
    private readonly int _seed;
    private readonly optim.Optimizer _optimizer;
    private readonly EpochBookkeeping _bookkeeping;
    private readonly PhaseSchedule _schedule;
    private readonly EarlyStopper? _earlyStopping;
    private readonly CompletedPhases _completed;
    private readonly CheckpointWriter? _checkpoints;
    private readonly GradientSteps? _steps;
    private readonly WeightAverage? _average;

    internal PhaseRun(nn.Module model, string modelName, string name, int epochs, int seed, optim.Optimizer optimizer, EpochBookkeeping bookkeeping, PhaseSchedule schedule, EarlyStopper? earlyStopping, CompletedPhases completed, CheckpointWriter? checkpoints, GradientSteps? steps = null, WeightAverage? average = null)
    {
        _model = model;
        _modelName = modelName;
        _steps = steps;
        _average = average;
        Name = name;
        Epochs = epochs;
        _seed = seed;
        _optimizer = optimizer;
        _bookkeeping = bookkeeping;
        _schedule = schedule;
        _earlyStopping = earlyStopping;
        _completed = completed;
        _checkpoints = checkpoints;
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

        return unchecked((_seed * 7919) + (hash * 104729) + epoch);
    }

    /// <summary>Starts epoch <paramref name="epoch"/> (from 0); the returned metrics also move the progress display.</summary>
    public EpochMetrics BeginEpoch(int epoch)
    {
        _steps?.BeginEpoch(epoch);
        TrainingDiagnostics.OnEpochStarting(() => new EpochStarting(
            _modelName, Name, epoch, _model, _optimizer, _average, _earlyStopping?.Progress ?? EarlyStoppingProgress.None, _steps?.NextStep, _steps?.Pending ?? 0));
        return _bookkeeping.Begin(epoch);
    }

    /// <summary>
    /// Backpropagates one batch's <paramref name="loss"/> and steps the optimizer when its group of batches is complete
    /// (<c>accumulate_batches</c>): the gradients' global norm clipped (<c>grad_clip_norm</c>), the step's learning rate
    /// set (a warmup, one-cycle), then the weight average updated (<c>training.ema</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The phase was begun without its step settings.</exception>
    public void Step(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        (_steps ?? throw new InvalidOperationException($"Phase {Name} was begun without step settings; pass them to TrainingRun.BeginPhase.")).Add(loss);
    }

    /// <summary>At the end of an epoch's batches: steps on the gradients of a group cut short (<c>accumulate_batches</c>).</summary>
    public void StepRemaining() => _steps?.StepRemaining();

    /// <summary>
    /// Runs <paramref name="evaluate"/> with the averaged weights in the model (<c>training.ema</c>), then puts the
    /// trained weights back; without a weight average, just runs it.
    /// </summary>
    public T WithAveragedWeights<T>(Func<T> evaluate)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        using (_average?.Swap())
        {
            return evaluate();
        }
    }

    /// <summary>
    /// Ends an epoch: records it, steps the schedule, updates early stopping and writes a checkpoint.
    /// Returns false when early stopping ends the phase.
    /// </summary>
    public bool EndEpoch(EpochMetrics metrics, EvaluationResult? validation)
    {
        var result = _bookkeeping.End(metrics, validation, Optimizers.LearningRate(_optimizer));
        _schedule.Step(result);
        bool stop;
        using (_average?.Swap())
        {
            // With a weight average, the best epoch's weights are its averaged ones: those validation scored.
            stop = _earlyStopping?.Observe(result) ?? false;
        }

        if (stop || result.Epoch >= Epochs)
        {
            if (_earlyStopping?.RestoreBest(result.Epoch) == true)
            {
                _average?.ResetToModel(); // training and averaging go on from the best averaged weights
            }

            _completed.Add(Name);
            _bookkeeping.Finish();
        }

        _checkpoints?.Write(Name, result.Epoch, _earlyStopping?.Progress ?? EarlyStoppingProgress.None, _optimizer);
        NativeHeap.Release();
        return !stop;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _bookkeeping.Dispose();
        _earlyStopping?.Dispose();
    }

    /// <summary>A resumed run had finished this phase: no epoch runs.</summary>
    internal void SkipAll() => FirstEpoch = Epochs;

    /// <summary>
    /// Continues after the checkpoint's last completed epoch: the schedule where it was, the optimizer's state, and early
    /// stopping. The schedule is replayed first, on the fresh optimizer, so that its own counters stand where they stood;
    /// the optimizer's state then puts back the learning rates the checkpoint recorded. The other way round, a schedule
    /// that multiplies the rate in force (step, cosine, plateau) would apply the completed epochs' factors a second time.
    /// </summary>
    internal void ResumeFrom(CheckpointState state, byte[] optimizerState)
    {
        _schedule.Replay(_bookkeeping.Completed);
        StateBytes.LoadInto(_optimizer, optimizerState);
        FirstEpoch = Math.Min(state.EpochsDone, Epochs);
        _earlyStopping?.Resume(new EarlyStoppingProgress(state.BestValue, state.BestEpoch, state.Wait));
    }
}
