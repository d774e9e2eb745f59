using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// Everything about a module that trial training changes, kept to be put back exactly: every parameter and buffer
/// (copies, restored bit for bit), which parameters train (freezing), each module's training mode, the parameters'
/// gradients, and the random generator's state (dropout draws). Used by the learning-rate finder, which trains a
/// model only to look at its loss.
/// </summary>
internal sealed class ModelSnapshot : IDisposable
{
    private readonly nn.Module _model;
    private readonly Dictionary<string, Tensor> _state;
    private readonly List<(Parameter Parameter, bool RequiresGrad, Tensor? Grad)> _parameters;
    private readonly List<(nn.Module Module, bool Training)> _modes;
    private readonly Tensor _random;

    private ModelSnapshot(nn.Module model)
    {
        _model = model;
        _state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        _parameters = model.parameters().Select(p => (p, p.requires_grad, CopyOfGradient(p))).ToList();

        // Parents before children (named_modules' order), so that putting the modes back in this order leaves each module its own.
        _modes = [(model, model.training), .. model.named_modules().Select(m => (m.module, m.module.training))];
        _random = get_rng_state();
    }

    /// <summary>Keeps <paramref name="model"/>'s state as it is now.</summary>
    public static ModelSnapshot Take(nn.Module model) => new(model);

    /// <summary>Puts the kept state back into the model.</summary>
    public void Restore()
    {
        using (no_grad())
        {
            foreach (var (parameter, requiresGrad, _) in _parameters)
            {
                parameter.requires_grad = requiresGrad;
            }

            _model.load_state_dict(_state, strict: true);
            RestoreGradients();
        }

        foreach (var (module, training) in _modes)
        {
            module.train(training);
        }

        set_rng_state(_random);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in _state.Values)
        {
            tensor.Dispose();
        }

        foreach (var (_, _, grad) in _parameters)
        {
            grad?.Dispose();
        }

        _random.Dispose();
    }

    private static Tensor? CopyOfGradient(Parameter parameter)
    {
        using var grad = parameter.grad;
        return grad?.detach().clone();
    }

    // A parameter without a gradient before gets none back (TorchSharp can only clear them all at once); one
    // with a gradient gets its values back.
    private void RestoreGradients()
    {
        if (_parameters.All(p => p.Grad is null))
        {
            _model.zero_grad(set_to_none: true);
            return;
        }

        foreach (var (parameter, _, saved) in _parameters)
        {
            using var grad = parameter.grad;
            if (saved is not null && grad is not null)
            {
                grad.copy_(saved);
            }
            else
            {
                grad?.zero_();
            }
        }
    }
}
