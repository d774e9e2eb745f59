using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// The weights of a phase's best epoch (early stopping with <c>restore_best</c>): a copy in memory, and a
/// file next to the checkpoints when there are checkpoints, so that a resumed run still has them.
/// </summary>
internal sealed class BestWeights : IDisposable
{
    private readonly nn.Module _model;
    private readonly string? _path;
    private Dictionary<string, Tensor>? _copy;

    public BestWeights(nn.Module model, string? path)
    {
        _model = model;
        _path = path;
    }

    public bool IsKept => _copy is not null;

    /// <summary>Keeps the model's current weights (replacing the ones kept before), in memory and on disk.</summary>
    public void Keep()
    {
        Replace(Copy());
        if (_path is not null)
        {
            var bytes = StateBytes.Of(_model);
            AtomicFile.Write(_path, s => s.Write(bytes));
        }
    }

    /// <summary>Reads the weights a stopped run kept on disk, if it kept any.</summary>
    public void LoadSaved()
    {
        if (_path is null || !File.Exists(_path))
        {
            return;
        }

        // Load into the model, copy the values, then put the current values back.
        var current = Copy();
        try
        {
            using (var saved = new MemoryStream(File.ReadAllBytes(_path)))
            {
                _model.load(saved);
            }

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
