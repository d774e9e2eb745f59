using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace ModelGen.Weights;

/// <summary>
/// Tensor names of older torchvision checkpoints that torchvision renames when it loads them: DenseNet's
/// official files still name a dense layer's tensors <c>norm.1</c>, <c>conv.2</c>, ... where the modules
/// are now <c>norm1</c>, <c>conv2</c> (torchvision's densenet <c>_load_state_dict</c>).
/// </summary>
internal static partial class LegacyTensorNames
{
    /// <summary>The name a tensor has in today's modules (unchanged when it is not a legacy name).</summary>
    public static string Current(string name) => DenseLayerName().Match(name) is { Success: true } match
        ? match.Groups[1].Value + match.Groups[2].Value
        : name;

    /// <summary>
    /// <paramref name="source"/> with legacy names replaced; the same dictionary when none is legacy. A legacy
    /// name whose current name is also present is left as it is (the current one wins).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Normalize(IReadOnlyDictionary<string, Tensor> source)
    {
        if (!source.Keys.Any(name => DenseLayerName().IsMatch(name)))
        {
            return source;
        }

        var renamed = new Dictionary<string, Tensor>(source.Count, StringComparer.Ordinal);
        foreach (var (name, tensor) in source)
        {
            var current = Current(name);
            if (current == name || !source.ContainsKey(current))
            {
                renamed[current] = tensor;
            }
            else
            {
                renamed[name] = tensor;
            }
        }

        return renamed;
    }

    [GeneratedRegex(@"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$", RegexOptions.CultureInvariant)]
    private static partial Regex DenseLayerName();
}
