using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace ModelGen.Training;

/// <summary>
/// A short hash of a module's state dict as a layout: every entry's name, shape and element type, not the
/// values. Two modules with the same layout load each other's weights; a checkpoint records it so that
/// resuming into another layout is a clear error before any weight is read.
/// </summary>
internal static class WeightsLayout
{
    public static string Of(nn.Module module)
    {
        var text = new StringBuilder();
        foreach (var (name, tensor) in module.state_dict().OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(':').Append(tensor.dtype).Append('[').Append(string.Join(',', tensor.shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))).Append("]\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 8));
    }
}
