using System;
using System.Linq;

namespace ModelGen.Shared;

/// <summary>
/// The two remote forms of <c>backbone.weights</c>, parsed alike by the generator (which reports a malformed
/// value at build time) and the runtime (which downloads it): <c>https://…/x.safetensors</c> (or <c>http://</c>,
/// <c>.pth</c>, <c>.pt</c>) and <c>hf://owner/repo/path/file.safetensors[@revision]</c>. Plain string work only:
/// the generator targets netstandard2.0 and may not touch the network or the disk.
/// </summary>
internal static class RemoteWeights
{
    /// <summary>The prefix of a Hugging Face Hub reference.</summary>
    public const string HubScheme = "hf://";

    /// <summary>The revision a Hub reference without <c>@revision</c> means.</summary>
    public const string DefaultRevision = "main";

    /// <summary>The form of a Hub reference, for messages.</summary>
    public const string HubForm = "hf://owner/repo/path/to/file.safetensors, optionally followed by @revision (a branch, tag or commit), e.g. hf://timm/resnet50.tv_in1k/model.safetensors@main";

    /// <summary>The file types a remote weights file may have.</summary>
    public static readonly string[] Extensions = [".safetensors", ".pth", ".pt"];

    /// <summary>Whether <paramref name="value"/> is written as a web address (<c>http://</c> or <c>https://</c>, any case).</summary>
    public static bool IsUrl(string value) =>
        value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="value"/> is written as a Hugging Face Hub reference (<c>hf://</c>).</summary>
    public static bool IsHub(string value) => value.StartsWith(HubScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="value"/> is 64 hexadecimal digits (a full SHA-256).</summary>
    public static bool IsSha256(string value) =>
        value.Length == 64 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F'));

    /// <summary>
    /// The file name a URL ends with (its path's last segment, without query or fragment), or null when the URL
    /// is not an absolute http(s) address with a host and a file name of a supported type.
    /// </summary>
    public static string? UrlFileName(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https") || uri.Host.Length == 0)
        {
            return null;
        }

        var path = uri.AbsolutePath;
        var name = Uri.UnescapeDataString(path.Substring(path.LastIndexOf('/') + 1));
        return HasWeightsExtension(name) && IsSafeSegment(name) ? name : null;
    }

    /// <summary>Parses <c>hf://owner/repo/path/file.ext[@revision]</c>; null when the value does not have that form.</summary>
    public static HubReference? ParseHub(string value)
    {
        if (!IsHub(value))
        {
            return null;
        }

        var rest = value.Substring(HubScheme.Length);
        string? revision = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            revision = rest.Substring(at + 1);
            rest = rest.Substring(0, at);
            if (revision.Length == 0 || revision.Any(c => !(char.IsLetterOrDigit(c) && c < 128) && c != '.' && c != '-' && c != '_' && c != '/')
                || revision.Split('/').Any(s => s.Length == 0 || s == "." || s == ".."))
            {
                return null;
            }
        }

        var parts = rest.Split('/');
        if (parts.Length < 3 || !IsRepoName(parts[0]) || !IsRepoName(parts[1]) || !parts.Skip(2).All(IsSafeSegment) || !HasWeightsExtension(parts[parts.Length - 1]))
        {
            return null;
        }

        return new HubReference(parts[0], parts[1], string.Join("/", parts.Skip(2)), revision ?? DefaultRevision);
    }

    private static bool HasWeightsExtension(string name) =>
        Extensions.Any(ext => name.Length > ext.Length && name.EndsWith(ext, StringComparison.OrdinalIgnoreCase));

    // Owner and repository names on the Hub: letters, digits, '-', '_', '.'.
    private static bool IsRepoName(string part) =>
        part.Length > 0 && part != "." && part != ".." && part.All(c => (char.IsLetterOrDigit(c) && c < 128) || c == '-' || c == '_' || c == '.');

    // A path segment that is safe as a file or folder name on every system: no separators, no "." or "..", no control or reserved characters.
    private static bool IsSafeSegment(string segment) =>
        segment.Length > 0 && segment != "." && segment != ".." && segment.All(c => c >= 32 && "\\/:*?\"<>|".IndexOf(c) < 0);
}

/// <summary>A file in a Hugging Face Hub repository at a revision.</summary>
/// <param name="Owner">The user or organisation (<c>timm</c>).</param>
/// <param name="Repository">The repository (<c>resnet50.tv_in1k</c>).</param>
/// <param name="FilePath">The file's path in the repository, with '/' separators (<c>model.safetensors</c>).</param>
/// <param name="Revision">A branch, tag or commit; <c>main</c> when the reference gives none.</param>
internal sealed record HubReference(string Owner, string Repository, string FilePath, string Revision)
{
    /// <summary>The download address under <paramref name="endpoint"/> (https://huggingface.co, or <c>HF_ENDPOINT</c>), as huggingface_hub builds it.</summary>
    public string Url(string endpoint) =>
        $"{endpoint.TrimEnd('/')}/{Owner}/{Repository}/resolve/{Uri.EscapeDataString(Revision)}/{string.Join("/", FilePath.Split('/').Select(Uri.EscapeDataString))}";
}
