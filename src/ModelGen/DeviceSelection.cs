using TorchSharp;

namespace ModelGen;

/// <summary>Chooses the device a model runs on, from options, the environment and what is available.</summary>
public static class DeviceSelection
{
    /// <summary>The environment variable that names the device: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public const string EnvironmentVariable = "MODELGEN_DEVICE";

    /// <summary>
    /// The device for <paramref name="options"/>: the explicit one, else <c>MODELGEN_DEVICE</c>, else CUDA
    /// when available, else CPU.
    /// </summary>
    /// <exception cref="ArgumentException"><c>MODELGEN_DEVICE</c> names no valid device, or CUDA is asked for and absent.</exception>
    public static torch.Device Resolve(ModelOptions? options = null) =>
        Resolve(options?.Device, Environment.GetEnvironmentVariable(EnvironmentVariable), torch.cuda.is_available(), torch.cuda.device_count());

    /// <summary>The decision itself, separate from the machine so that it can be tested anywhere.</summary>
    internal static torch.Device Resolve(torch.Device? requested, string? environment, bool cudaAvailable, int cudaDevices)
    {
        if (requested is not null)
        {
            return requested;
        }

        if (string.IsNullOrWhiteSpace(environment))
        {
            return cudaAvailable ? torch.CUDA : torch.CPU;
        }

        var text = environment.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return torch.CPU;
        }

        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (text.Length > 4 && !int.TryParse(text.AsSpan(5), out index))
            {
                throw new ArgumentException($"{EnvironmentVariable}='{environment}' is not a device; use cpu, cuda or cuda:N (N a number).");
            }

            if (!cudaAvailable)
            {
                throw new ArgumentException(
                    $"{EnvironmentVariable}='{environment}' asks for CUDA, but no CUDA device is available: build with "
                    + "<ModelGenTorchBackend>cuda</ModelGenTorchBackend> on a machine with an NVIDIA driver, or use cpu.");
            }

            if (index < 0 || index >= cudaDevices)
            {
                throw new ArgumentException($"{EnvironmentVariable}='{environment}' names CUDA device {index}, but this machine has {cudaDevices} (0 to {cudaDevices - 1}).");
            }

            return new torch.Device(DeviceType.CUDA, index);
        }

        throw new ArgumentException($"{EnvironmentVariable}='{environment}' is not a device; use cpu, cuda or cuda:N.");
    }
}
