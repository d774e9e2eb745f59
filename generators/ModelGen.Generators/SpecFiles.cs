using System;

namespace ModelGen.Generators;

/// <summary>Which additional files are model specs.</summary>
internal static class SpecFiles
{
    private static readonly string[] Extensions = [".model.yaml", ".model.yml", ".model.json"];

    /// <summary>Whether a path names a spec file (case-insensitive extension).</summary>
    public static bool IsSpec(string path)
    {
        foreach (var extension in Extensions)
        {
            if (path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
