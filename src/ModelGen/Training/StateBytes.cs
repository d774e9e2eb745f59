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
