using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Writes a run's checkpoint after every epoch: the run it belongs to, the weights, the optimizer's state,
/// the weight average (<c>training.ema</c>) and where training was (the phase, its epochs done, the finished phases, the history, early stopping's
/// progress), numbered across the run so that resuming finds the newest.
/// </summary>
internal sealed class CheckpointWriter
{
    private readonly CheckpointStore _store;
    private readonly nn.Module _model;
    private readonly string _modelName;
    private readonly TrainingHistory _history;
    private readonly CompletedPhases _completed;
    private readonly ILogger _logger;
    private readonly HashSet<string> _trained = new(StringComparer.Ordinal);
    private readonly WeightAverage? _average;
    private int _sequence;
    private bool _sizeLogged;

    public CheckpointWriter(CheckpointStore store, nn.Module model, string modelName, RunStamp run, TrainingHistory history, CompletedPhases completed, ILogger logger, WeightAverage? average = null)
    {
        _average = average;
        _logger = logger;
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
    /// <param name="run">The resumed run.</param>
    /// <param name="sequence">The number of its newest checkpoint.</param>
    /// <param name="trained">The parameters that checkpoint held: trained before, so kept in every later one.</param>
    public void ContinueAfter(RunStamp run, int sequence, IEnumerable<string> trained)
    {
        Run = run;
        _sequence = sequence;
        _trained.UnionWith(trained);
    }

    /// <summary>Writes the checkpoint for the end of epoch <paramref name="epochsDone"/> of <paramref name="phase"/>.</summary>
    public void Write(string phase, int epochsDone, EarlyStoppingProgress earlyStopping, optim.Optimizer optimizer)
    {
        _sequence++;
        var state = new CheckpointState(_modelName, Run, _sequence, phase, epochsDone, _completed.ToArray(), [.. _history.Epochs], earlyStopping.BestValue, earlyStopping.BestEpoch, earlyStopping.Wait);
        // What has trained so far in the run: frozen layers are the pretrained weights the model starts with.
        _trained.UnionWith(StateBytes.Trainable(_model));
        var model = StateBytes.OfTrained(_model, _trained);
        var path = _store.Save(state, model, StateBytes.Of(optimizer), _average?.ToBytes());
        if (!_sizeLogged)
        {
            _sizeLogged = true;
            _logger.CheckpointsWritten(_modelName, _store.Directory, new FileInfo(path).Length / 1e6, _store.Keep);
        }
    }
}
