using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>A module's or an optimizer's state as bytes, for checkpoints and the best weights of a phase.</summary>
internal static class StateBytes
{
    /// <summary>The module's state dict, as <c>module.save</c> writes it.</summary>
    public static byte[] Of(nn.Module module)
    {
        using var buffer = new MemoryStream();
        module.save(buffer);
        return buffer.ToArray();
    }

    /// <summary>
    /// What training changes of the module's state: the parameters named in <paramref name="trained"/>, and
    /// every buffer (batch-norm statistics are small and may move). The other parameters are left out: they
    /// are the pretrained weights the model is created with, so a checkpoint of a 17,000-parameter head on a
    /// frozen VGG16 holds the head, not 58 MB of VGG16. Load it with <see cref="LoadPart"/>.
    /// </summary>
    public static byte[] OfTrained(nn.Module module, IReadOnlySet<string> trained)
    {
        var frozen = module.named_parameters().Select(p => p.name).Where(name => !trained.Contains(name)).ToList();
        using var buffer = new MemoryStream();
        module.save(buffer, frozen);
        return buffer.ToArray();
    }

    /// <summary>The names of the module's parameters that train now.</summary>
    public static IEnumerable<string> Trainable(nn.Module module) =>
        module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name);

    /// <summary>
    /// Loads a state written by <see cref="OfTrained"/> (or <see cref="Of(nn.Module)"/>) into the module, and
    /// returns the names it held; what it left out keeps its current (pretrained) values.
    /// </summary>
    public static IReadOnlyCollection<string> LoadPart(nn.Module module, byte[] state)
    {
        var loaded = new Dictionary<string, bool>();
        using var stream = new MemoryStream(state);
        module.load(stream, strict: false, loadedParameters: loaded);
        return loaded.Where(e => e.Value).Select(e => e.Key).ToList();
    }

    /// <summary>The optimizer's state (moments, step counts); empty for an optimizer that keeps none TorchSharp can save.</summary>
    public static byte[] Of(optim.Optimizer optimizer)
    {
        if (optimizer is not OptimizerHelper helper)
        {
            return [];
        }

        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            helper.save_state_dict(writer);
        }

        return buffer.ToArray();
    }

    /// <summary>Puts a state written by <see cref="Of(optim.Optimizer)"/> back into <paramref name="optimizer"/>.</summary>
    public static void LoadInto(optim.Optimizer optimizer, byte[] state)
    {
        if (state.Length > 0 && optimizer is OptimizerHelper helper)
        {
            using var reader = new BinaryReader(new MemoryStream(state));
            helper.load_state_dict(reader);
        }
    }
}
