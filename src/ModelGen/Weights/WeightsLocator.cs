using Microsoft.Extensions.Logging;
using ModelGen.Shared;

namespace ModelGen.Weights;

/// <summary>Finds the weights file a backbone should load: an override, the ImageNet folder, or the spec's path.</summary>
public static class WeightsLocator
{
    /// <summary>The environment variable naming the ImageNet weights folder.</summary>
    public const string EnvironmentVariable = "MODELGEN_WEIGHTS";

    /// <summary>The environment variable that, set to <c>1</c>, forbids downloading missing ImageNet weights.</summary>
    public const string OfflineVariable = "MODELGEN_OFFLINE";

    /// <summary>
    /// The environment variable naming a folder URL that serves torchvision's weights files under their official
    /// names, used instead of https://download.pytorch.org/models/ (the files' hashes are checked all the same).
    /// </summary>
    public const string MirrorVariable = "MODELGEN_WEIGHTS_MIRROR";

    /// <summary>
    /// The environment variable holding a Hugging Face access token for private or gated repositories
    /// (<c>hf://</c> weights), sent as <c>Authorization: Bearer</c> to the Hub only and never logged.
    /// </summary>
    public const string HubTokenVariable = "HF_TOKEN";

    /// <summary>The environment variable naming the Hugging Face Hub's address (default https://huggingface.co), as huggingface_hub reads it.</summary>
    public const string HubEndpointVariable = "HF_ENDPOINT";

    /// <summary>The Hugging Face Hub's address when <see cref="HubEndpointVariable"/> is not set.</summary>
    public const string DefaultHubEndpoint = "https://huggingface.co";

    private static readonly string[] Extensions = [".safetensors", ".pth", ".pt", ".dat", ".onnx"];

    /// <summary>The ImageNet weights folder: <c>MODELGEN_WEIGHTS</c>, else <c>~/.cache/modelgen/weights</c>.</summary>
    public static string ImageNetFolder =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modelgen", "weights");

    /// <summary>
    /// The weights file an override path names (<c>ModelOptions.WeightsPath</c>), which wins over whatever
    /// the spec says; null when the path is empty or is not a file (a folder only moves the ImageNet folder).
    /// </summary>
    public static string? OverrideFile(string? overridePath) =>
        overridePath is { Length: > 0 } && File.Exists(overridePath) ? Path.GetFullPath(overridePath) : null;

    /// <summary>
    /// The ImageNet weights file of <paramref name="architecture"/> (its torchvision name, such as <c>vgg16</c>):
    /// the first of .safetensors, .pth, .pt, .dat and .onnx in <paramref name="folder"/>, or in
    /// <see cref="ImageNetFolder"/> when no folder is given; else the official torchvision file there
    /// (<c>vgg16-397923af.pth</c>, as a download leaves it). Never downloads.
    /// </summary>
    /// <exception cref="WeightsException">No such file; the message names the file expected and the PyTorch line that exports it.</exception>
    public static string ImageNet(string architecture, string? folder = null)
    {
        var searched = folder is { Length: > 0 } ? folder : ImageNetFolder;
        return FindImageNet(architecture, searched) ?? throw new WeightsException(MissingImageNet(architecture, searched));
    }

    /// <summary>
    /// The ImageNet weights file of <paramref name="architecture"/>: <c>&lt;architecture&gt;.(safetensors|pth|pt|dat|onnx)</c>,
    /// else the official torchvision file (<c>vgg16-397923af.pth</c>) in the folder, downloaded there first when it
    /// is missing (unless <c>MODELGEN_OFFLINE</c> is set).
    /// </summary>
    /// <exception cref="WeightsException">No such file and the download is forbidden or failed; the message says what to do.</exception>
    internal static string ImageNetOrDownload(string architecture, string? folder, ILogger logger)
    {
        var searched = folder is { Length: > 0 } ? folder : ImageNetFolder;
        return FindImageNet(architecture, searched)
            ?? (OfficialWeightsTable.Find(architecture) is { } official
                ? WeightsDownload.Fetch(official, searched, DownloadSettings.FromEnvironment(), logger)
                : throw new WeightsException(MissingImageNet(architecture, searched)));
    }

    /// <summary>
    /// The weights file a spec downloads (<c>weights: https://…</c> or <c>hf://…</c>), from the weights folder
    /// (<paramref name="folder"/> or <see cref="ImageNetFolder"/>), downloaded there first when it is missing. A URL's
    /// file goes to <c>url/&lt;16 hex digits of the SHA-256 of the URL and the pinned hash&gt;/&lt;file name&gt;</c>, a Hub
    /// file to <c>hf/&lt;owner&gt;/&lt;repo&gt;/&lt;revision&gt;[-&lt;16 hex digits of the pinned hash&gt;]/&lt;path&gt;</c>,
    /// so that two sources (or two pins of one source) never share a name. <c>MODELGEN_WEIGHTS_MIRROR</c> does not apply.
    /// </summary>
    /// <exception cref="WeightsException">Offline, the download failed, or the bytes are not the pinned ones.</exception>
    internal static string Remote(Backbones.WeightsKind kind, string reference, string? sha256, string? folder, ILogger logger)
    {
        var root = folder is { Length: > 0 } ? folder : ImageNetFolder;
        var expected = sha256 is { Length: > 0 } ? sha256.Trim().ToLowerInvariant() : null;
        if (expected is not null && !RemoteWeights.IsSha256(expected))
        {
            throw new WeightsException($"backbone.weights_sha256 '{sha256}' is not 64 hex digits; rebuild the project so that the spec is checked.");
        }

        var settings = DownloadSettings.FromEnvironment();
        if (kind == Backbones.WeightsKind.Url)
        {
            var name = RemoteWeights.UrlFileName(reference)
                ?? throw new WeightsException($"backbone.weights '{reference}' is not the http(s) address of a .safetensors, .pth or .pt file.");
            var key = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(reference + "\n" + expected)))[..16];
            return WeightsDownload.Fetch(
                new DownloadTarget(reference, Path.Combine(root, "url", key, name), expected) { What = $"the weights of backbone.weights ({reference})" },
                settings,
                logger);
        }

        var hub = RemoteWeights.ParseHub(reference)
            ?? throw new WeightsException($"backbone.weights '{reference}' is not a Hub file: write {RemoteWeights.HubForm}.");
        var endpoint = Environment.GetEnvironmentVariable(HubEndpointVariable) is { Length: > 0 } custom ? custom : DefaultHubEndpoint;
        var revisionFolder = Uri.EscapeDataString(hub.Revision) + (expected is null ? "" : "-" + expected[..16]);
        var final = Path.Combine([root, "hf", hub.Owner, hub.Repository, revisionFolder, .. hub.FilePath.Split('/')]);
        return WeightsDownload.Fetch(
            new DownloadTarget(hub.Url(endpoint), final, expected)
            {
                What = $"the weights of backbone.weights ({reference})",
                Hub = true,
                BearerToken = Environment.GetEnvironmentVariable(HubTokenVariable) is { Length: > 0 } token ? token.Trim() : null,
                Reference = reference,
            },
            settings,
            logger);
    }

    /// <summary>
    /// <paramref name="path"/> when its SHA-256 is <paramref name="sha256"/> (a spec's <c>weights_sha256</c> beside a
    /// local file), or when no hash is given.
    /// </summary>
    /// <exception cref="WeightsException">The file's SHA-256 differs; the message gives both.</exception>
    internal static string Verified(string path, string? sha256)
    {
        if (sha256 is not { Length: > 0 })
        {
            return path;
        }

        string actual;
        using (var stream = File.OpenRead(path))
        {
            actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        }

        return string.Equals(actual, sha256.Trim(), StringComparison.OrdinalIgnoreCase)
            ? path
            : throw new WeightsException($"The weights file {path} is not the one the spec pins: its SHA-256 is {actual}, but backbone.weights_sha256 is {sha256.Trim().ToLowerInvariant()}. Replace the file, or update weights_sha256 if you trust this one.");
    }

    /// <summary>
    /// A file a spec names. An absolute path is taken as it is. A relative one is relative to the spec's folder:
    /// it is looked for where the build copies it (the app's folder, at the same path relative to the project
    /// folder, or under <c>modelgen/files/</c> for a file outside the project), then from the current folder
    /// (an app run from its project folder), then as the path alone next to the app and in the current folder.
    /// </summary>
    /// <param name="file">The path as the spec writes it.</param>
    /// <param name="specKey">The spec key that names it (<c>backbone.weights</c>, <c>backbone.path</c>), for the message.</param>
    /// <param name="specDirectory">The spec's folder relative to the project folder (empty for the project folder), or absolute.</param>
    /// <exception cref="WeightsException">The file is in none of those places; the message lists them.</exception>
    public static string SpecFile(string file, string specKey, string specDirectory)
    {
        foreach (var candidate in RelativeCandidates(file, specDirectory))
        {
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new WeightsException(
            $"The file '{file}' (spec key {specKey}) was not found; looked in {string.Join(", ", RelativeCandidates(file, specDirectory).Select(Path.GetFullPath).Distinct())}. "
            + "Give an absolute path, or a path relative to the spec of a file that exists when the project builds (the build copies it next to the app), or set ModelOptions.WeightsPath.");
    }

    /// <summary>The message for a missing ImageNet file, with the PyTorch one-liner that exports it.</summary>
    public static string MissingImageNet(string architecture, string folder)
    {
        var file = Path.Combine(folder, architecture + ".pth");
        return $"ImageNet weights for {architecture} were not found: expected {file} (or .safetensors/.pt/.dat next to it). "
            + $"Export them once with PyTorch: python3 -c \"import torch, torchvision; torch.save(torchvision.models.{architecture}(weights='DEFAULT').state_dict(), '{file}')\" "
            + $"(set {EnvironmentVariable} to use another folder, or use weights: none to start from random weights).";
    }

    private static string? FindImageNet(string architecture, string folder) =>
        Extensions.Select(ext => Path.Combine(folder, architecture + ext))
            .Append(OfficialWeightsTable.Find(architecture) is { } official ? Path.Combine(folder, official.FileName) : "")
            .FirstOrDefault(File.Exists);

    private static IEnumerable<string> RelativeCandidates(string path, string specDirectory)
    {
        if (Path.IsPathRooted(path))
        {
            yield return path;
            yield break;
        }

        if (Path.IsPathRooted(specDirectory))
        {
            yield return Path.Combine(specDirectory, path);
        }
        else
        {
            var projectRelative = SpecFileLayout.ProjectRelative(specDirectory, path);
            yield return Path.Combine(AppContext.BaseDirectory, SpecFileLayout.OutputPath(projectRelative));
            yield return Path.GetFullPath(projectRelative);
        }

        yield return Path.Combine(AppContext.BaseDirectory, path);
        yield return Path.GetFullPath(path);
    }
}
