using ModelGen.Backbones;

namespace ModelGen.Weights;

/// <summary>Finds the weights file a backbone should load: an override, the ImageNet folder, or the spec's path.</summary>
public static class WeightsLocator
{
    /// <summary>The environment variable naming the ImageNet weights folder.</summary>
    public const string EnvironmentVariable = "MODELGEN_WEIGHTS";

    private static readonly string[] Extensions = [".safetensors", ".pth", ".pt", ".dat", ".onnx"];

    /// <summary>The ImageNet weights folder: <c>MODELGEN_WEIGHTS</c>, else <c>~/.cache/modelgen/weights</c>.</summary>
    public static string ImageNetFolder =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modelgen", "weights");

    /// <summary>
    /// The weights file for <paramref name="definition"/>, or null for fresh weights (<c>weights: none</c>).
    /// <see cref="ModelOptions.WeightsPath"/> wins: a file is used as it is, a folder replaces the ImageNet folder.
    /// </summary>
    /// <exception cref="WeightsException">The file is not there; the message names the file expected and how to make it.</exception>
    public static string? Resolve(BackboneDefinition definition, ModelOptions options)
    {
        if (options.WeightsPath is { Length: > 0 } overridePath && File.Exists(overridePath))
        {
            return Path.GetFullPath(overridePath);
        }

        if (definition.Weights == WeightsKind.None)
        {
            return null;
        }

        if (definition.Weights == WeightsKind.ImageNet)
        {
            var folder = options.WeightsPath is { Length: > 0 } overrideFolder ? overrideFolder : ImageNetFolder;
            var candidates = Extensions.Select(ext => Path.Combine(folder, definition.ArchitectureName + ext)).ToList();
            return candidates.FirstOrDefault(File.Exists) ?? throw new WeightsException(MissingImageNet(definition.ArchitectureName, folder));
        }

        var weights = definition.WeightsFile ?? "";

        foreach (var candidate in RelativeCandidates(weights, definition.ResolvedSpecDirectory))
        {
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new WeightsException(
            $"The weights file '{weights}' (spec key backbone.weights) was not found; looked in {string.Join(", ", RelativeCandidates(weights, definition.ResolvedSpecDirectory).Distinct())}. "
            + "Give an absolute path, a path relative to the spec, or set ModelOptions.WeightsPath.");
    }

    /// <summary>The message for a missing ImageNet file, with the PyTorch one-liner that exports it.</summary>
    public static string MissingImageNet(string architecture, string folder)
    {
        var file = Path.Combine(folder, architecture + ".pth");
        return $"ImageNet weights for {architecture} were not found: expected {file} (or .safetensors/.pt/.dat next to it). "
            + $"Export them once with PyTorch: python3 -c \"import torch, torchvision; torch.save(torchvision.models.{architecture}(weights='DEFAULT').state_dict(), '{file}')\" "
            + $"(set {EnvironmentVariable} to use another folder, or use weights: none to start from random weights).";
    }

    private static IEnumerable<string> RelativeCandidates(string path, string specDirectory)
    {
        if (Path.IsPathRooted(path))
        {
            yield return path;
            yield break;
        }

        if (specDirectory.Length > 0)
        {
            yield return Path.Combine(specDirectory, path);
        }

        yield return Path.Combine(AppContext.BaseDirectory, path);
        yield return Path.GetFullPath(path);
    }
}
