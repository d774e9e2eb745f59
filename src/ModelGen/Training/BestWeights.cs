using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// The weights of a phase's best epoch (early stopping with <c>restore_best</c>): a copy in memory, and a
/// checksummed file next to the checkpoints when there are checkpoints (<see cref="CheckpointStore.SaveBest"/>),
/// so that a resumed run still has them; a file that cannot be used is reported and never loaded.
/// </summary>
internal sealed class BestWeights : IDisposable
{
    private readonly nn.Module _model;
    private readonly CheckpointStore? _store;
    private readonly string _modelName;
    private readonly string _phase;
    private readonly string _run;
    private readonly ILogger _logger;
    private Dictionary<string, Tensor>? _copy;

    /// <param name="model">The model whose weights are kept.</param>
    /// <param name="store">The checkpoint folder, or null without checkpoints.</param>
    /// <param name="modelName">The generated class's name.</param>
    /// <param name="phase">The phase.</param>
    /// <param name="run">The run's id: a resumed run restores only the best weights its own run kept.</param>
    /// <param name="logger">Where an unusable file is reported.</param>
    public BestWeights(nn.Module model, CheckpointStore? store, string modelName, string phase, string run, ILogger logger)
    {
        _model = model;
        _store = store;
        _modelName = modelName;
        _phase = phase;
        _run = run;
        _logger = logger;
    }

    public bool IsKept => _copy is not null;

    /// <summary>Keeps the model's current weights (replacing the ones kept before), in memory and on disk.</summary>
    public void Keep()
    {
        Replace(Copy());
        _store?.SaveBest(_modelName, _phase, _run, StateBytes.OfTrained(_model, StateBytes.Trainable(_model).ToHashSet()));
    }

    /// <summary>Reads the weights a stopped run kept on disk, if it kept any.</summary>
    public void LoadSaved()
    {
        string? problem = null;
        if (_store is null || _store.TryLoadBest(_modelName, _phase, _run, out problem) is not { } kept)
        {
            if (problem is not null)
            {
                _logger.BestWeightsUnusable(_modelName, _phase, problem);
            }

            return;
        }

        // Load into the model, copy the values, then put the current values back.
        var current = Copy();
        try
        {
            StateBytes.LoadPart(_model, kept);

            Replace(Copy());
            _model.load_state_dict(current, strict: true);
        }
        finally
        {
            DisposeAll(current);
        }
    }

    /// <summary>Puts the kept weights into the model.</summary>
    public void Restore()
    {
        if (_copy is not null)
        {
            _model.load_state_dict(_copy, strict: true);
        }
    }

    public void Dispose() => Replace(null);

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }

    private Dictionary<string, Tensor> Copy() => _model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    private void Replace(Dictionary<string, Tensor>? copy)
    {
        if (_copy is not null)
        {
            DisposeAll(_copy);
        }

        _copy = copy;
    }
}
