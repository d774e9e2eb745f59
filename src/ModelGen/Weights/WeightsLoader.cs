using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Weights;

/// <summary>
/// Loads a state dict into a module by tensor name, and refuses partial loads: every parameter and
/// buffer of the module must be in the file with the same shape. Tensors the module does not have are
/// returned by name (for a backbone: the discarded classifier, the layers beyond the cut), for the caller
/// to judge and report.
/// </summary>
internal static class WeightsLoader
{
    /// <summary>Copies the weights of the file <paramref name="path"/> into <paramref name="module"/>.</summary>
    /// <returns>The names in the file that the module does not use.</returns>
    /// <exception cref="WeightsException">The file cannot be read, or tensors are missing or have other shapes; the message lists them.</exception>
    public static IReadOnlyList<string> Load(nn.Module module, string path)
    {
        var source = StateDictReader.Read(path);
        try
        {
            return Load(module, source, path);
        }
        finally
        {
            foreach (var tensor in source.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>Copies tensors by name; <paramref name="origin"/> names the source in messages.</summary>
    public static IReadOnlyList<string> Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string origin)
    {
        source = LegacyTensorNames.Normalize(source);
        var target = module.state_dict();
        var missing = new List<string>();
        var misshaped = new List<string>();
        foreach (var (name, tensor) in target)
        {
            if (!source.TryGetValue(name, out var value))
            {
                // Older checkpoints lack BatchNorm's counter; it does not affect results.
                if (!name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                {
                    missing.Add(name);
                }
            }
            else if (!value.shape.SequenceEqual(tensor.shape))
            {
                misshaped.Add($"{name} (file {string.Join("x", value.shape)}, model {string.Join("x", tensor.shape)})");
            }
        }

        if (missing.Count > 0 || misshaped.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0)
            {
                parts.Add($"{missing.Count} tensor(s) missing ({List(missing)})");
            }

            if (misshaped.Count > 0)
            {
                parts.Add($"{misshaped.Count} with other shapes ({List(misshaped)})");
            }

            throw new WeightsException(
                $"The weights in {origin} do not fit this {module.GetName()} backbone: {string.Join("; ", parts)}. "
                + "Nothing was loaded. Check that the file was saved from the same architecture.");
        }

        using (no_grad())
        {
            foreach (var (name, tensor) in target)
            {
                if (source.TryGetValue(name, out var value))
                {
                    tensor.copy_(value.to(tensor.dtype));
                }
            }
        }

        return source.Keys.Where(k => !target.ContainsKey(k)).ToList();
    }

    private static string List(List<string> names) => string.Join(", ", names.Take(6)) + (names.Count > 6 ? $", and {names.Count - 6} more" : "");
}
