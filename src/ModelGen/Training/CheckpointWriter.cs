using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Writes a run's checkpoint after every epoch: the run it belongs to, the weights, the optimizer's state,
/// and where training was (the phase, its epochs done, the finished phases, the history, early stopping's
/// progress), numbered across the run so that resuming finds the newest.
/// </summary>
internal sealed class CheckpointWriter
{
    private readonly CheckpointStore _store;
    private readonly nn.Module _model;
    private readonly string _modelName;
    private readonly TrainingHistory _history;
    private readonly CompletedPhases _completed;
    private int _sequence;

    public CheckpointWriter(CheckpointStore store, nn.Module model, string modelName, RunStamp run, TrainingHistory history, CompletedPhases completed)
    {
        _store = store;
        _model = model;
        _modelName = modelName;
        Run = run;
        _history = history;
        _completed = completed;
    }

    /// <summary>The checkpoint folder, where a phase also keeps the weights of its best epoch.</summary>
    public CheckpointStore Store => _store;

    /// <summary>The run the checkpoints belong to: a fresh one, or the resumed one.</summary>
    public RunStamp Run { get; private set; }

    /// <summary>Continues <paramref name="run"/>: numbers the next checkpoint after <paramref name="sequence"/>.</summary>
    public void ContinueAfter(RunStamp run, int sequence)
    {
        Run = run;
        _sequence = sequence;
    }

    /// <summary>Writes the checkpoint for the end of epoch <paramref name="epochsDone"/> of <paramref name="phase"/>.</summary>
    public void Write(string phase, int epochsDone, EarlyStoppingProgress earlyStopping, optim.Optimizer optimizer)
    {
        _sequence++;
        var state = new CheckpointState(_modelName, Run, _sequence, phase, epochsDone, _completed.ToArray(), [.. _history.Epochs], earlyStopping.BestValue, earlyStopping.BestEpoch, earlyStopping.Wait);
        _store.Save(state, StateBytes.Of(_model), StateBytes.Of(optimizer));
    }
}
