using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Tests.Backbones.Parity;

/// <summary>
/// The deterministic weights of the parity tests, computed exactly as make_parity.py computes them: every value
/// from a splitmix64 hash of the tensor's state_dict name and the element's index (no random generator), so
/// TorchSharp and PyTorch hold bit-identical tensors without any weights file in the repository.
/// </summary>
internal static class ParityWeights
{
    /// <summary>
    /// Fills every parameter and every batch-norm running mean and variance of <paramref name="modules"/>
    /// (named as in torchvision's state_dict); other buffers keep the values the module was built with.
    /// </summary>
    public static void Fill(IEnumerable<(string Name, nn.Module Module)> modules)
    {
        using var noGrad = no_grad();
        foreach (var (prefix, module) in modules)
        {
            foreach (var (name, parameter) in module.named_parameters())
            {
                Copy(parameter, prefix + "." + name);
            }

            foreach (var (name, buffer) in module.named_buffers())
            {
                if (name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal)
                    || name is "running_mean" or "running_var")
                {
                    Copy(buffer, prefix + "." + name);
                }
            }
        }
    }

    /// <summary>The values of the tensor <paramref name="name"/> of shape <paramref name="shape"/> (make_parity.py's <c>parity_values</c>).</summary>
    public static float[] Values(string name, long[] shape)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        var seed = Fnv1a(name);
        var leaf = name[(name.LastIndexOf('.') + 1)..];
        var heScale = shape.Length >= 2 ? Math.Sqrt(6.0 / (count / shape[0])) : 0;
        Func<double, double> value = leaf switch
        {
            "running_var" => u => 1.0 + (0.5 * u),
            "running_mean" => u => 0.1 * u,
            _ when leaf.EndsWith("weight", StringComparison.Ordinal) && shape.Length >= 2 => u => u * heScale,
            _ when leaf.EndsWith("weight", StringComparison.Ordinal) => u => 1.0 + (0.1 * u),
            _ when leaf.EndsWith("bias", StringComparison.Ordinal) => u => 0.1 * u,
            _ => u => 0.5 * u,
        };
        Parallel.For(0, count, i => values[i] = (float)value(Unit(seed, i)));
        return values;
    }

    /// <summary>A value in [-1, 1) exact in float32: the top 24 bits of splitmix64(seed + (i + 1) * golden).</summary>
    public static double Unit(ulong seed, long index)
    {
        unchecked
        {
            var z = seed + ((ulong)(index + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return ((z >> 40) * Math.Pow(2, -23)) - 1.0;
        }
    }

    /// <summary>FNV-1a, 64 bits, over the UTF-8 bytes of <paramref name="name"/>.</summary>
    public static ulong Fnv1a(string name)
    {
        unchecked
        {
            var hash = 0xCBF29CE484222325UL;
            foreach (var b in Encoding.UTF8.GetBytes(name))
            {
                hash = (hash ^ b) * 0x100000001B3UL;
            }

            return hash;
        }
    }

    private static void Copy(Tensor target, string name)
    {
        using var values = tensor(Values(name, target.shape), target.shape);
        target.copy_(values);
    }
}
