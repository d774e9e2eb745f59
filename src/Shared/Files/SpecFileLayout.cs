namespace ModelGen.Shared;

/// <summary>
/// Where the build puts the files a spec names (<c>backbone.weights</c>, <c>backbone.path</c>) in the app's
/// output folder, shared by the build task that copies them and the runtime that looks for them, so that the
/// two always agree. A file inside the project keeps its path relative to the project folder; a file outside
/// it goes to <c>modelgen/files/</c> under its own name. Nothing absolute is recorded in the user's assembly.
/// </summary>
internal static class SpecFileLayout
{
    /// <summary>The output folder, relative to the app's folder, for spec-named files outside the project.</summary>
    public const string OutsideFolder = "modelgen/files";

    /// <summary>
    /// The file's path in the output folder, with '/' separators, given its path relative to the project
    /// folder (which may climb out of it with "..").
    /// </summary>
    public static string OutputPath(string projectRelativePath)
    {
        var normalized = Normalize(projectRelativePath);
        return normalized == ".." || normalized.StartsWith("../", System.StringComparison.Ordinal)
            ? OutsideFolder + "/" + FileName(normalized)
            : normalized;
    }

    /// <summary>
    /// Joins a spec's folder (relative to the project folder; empty for the project folder itself) and a
    /// path relative to the spec, and resolves "." and ".." segments: <c>specs</c> + <c>../w/a.pth</c> is
    /// <c>w/a.pth</c>; leading ".." segments that climb out of the project are kept.
    /// </summary>
    public static string ProjectRelative(string specDirectory, string specRelativePath)
    {
        var joined = specDirectory.Length == 0 ? specRelativePath : specDirectory.TrimEnd('/', '\\') + "/" + specRelativePath;
        return Normalize(joined);
    }

    private static string Normalize(string path)
    {
        var segments = new System.Collections.Generic.List<string>();
        foreach (var segment in path.Replace('\\', '/').Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == ".." && segments.Count > 0 && segments[segments.Count - 1] != "..")
            {
                segments.RemoveAt(segments.Count - 1);
            }
            else
            {
                segments.Add(segment);
            }
        }

        return string.Join("/", segments);
    }

    private static string FileName(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path.Substring(slash + 1);
    }
}
