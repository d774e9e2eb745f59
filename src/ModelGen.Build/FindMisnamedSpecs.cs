using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelGen.Build;

/// <summary>
/// Warns (MGB0003) about YAML and JSON files of a project that look like ModelGen specs but are not named
/// <c>*.model.yaml</c>, <c>*.model.yml</c> or <c>*.model.json</c>, so the generator never sees them: a spec
/// renamed to <c>shoes.yaml</c> would otherwise just stop producing its class, with no word why.
/// A file looks like a spec when its first 64 KB have the top-level keys <c>model</c>, <c>backbone</c>
/// and <c>head</c>.
/// </summary>
public sealed class FindMisnamedSpecs : Task
{
    /// <summary>How much of each file is read: specs are small; other files may be large.</summary>
    public const int BytesRead = 64 * 1024;

    /// <summary>Each top-level key a spec must have, as YAML (<c>model:</c> at a line's start) or as JSON (<c>"model":</c>).</summary>
    private static readonly (Regex Yaml, Regex Json)[] SpecKeys = new[] { "model", "backbone", "head" }
        .Select(key => (new Regex($@"^{key}[ \t]*:", RegexOptions.Multiline), new Regex($@"""{key}""[ \t\r\n]*:")))
        .ToArray();

    private static readonly Regex JsonSchema = new(@"""\$schema""[ \t\r\n]*:[ \t\r\n]*""https?://json-schema\.org/");

    /// <summary>The project's YAML and JSON files that are not named like specs.</summary>
    [Required]
    public ITaskItem[] Candidates { get; set; } = [];

    /// <summary>The files that look like specs.</summary>
    [Output]
    public ITaskItem[] MisnamedSpecs { get; private set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        var found = new System.Collections.Generic.List<ITaskItem>();
        foreach (var item in Candidates)
        {
            var path = item.GetMetadata("FullPath");
            if (!LooksLikeASpec(path))
            {
                continue;
            }

            found.Add(item);
            var name = Path.GetFileName(path);
            var suggestion = Path.GetFileNameWithoutExtension(path) + ".model" + Path.GetExtension(path);
            Log.LogWarning(
                subcategory: null,
                warningCode: "MGB0003",
                helpKeyword: null,
                file: path,
                lineNumber: 1,
                columnNumber: 1,
                endLineNumber: 0,
                endColumnNumber: 0,
                message: $"{name} looks like a ModelGen spec (it has model, backbone and head), but ModelGen only reads files named *.model.yaml, *.model.yml or *.model.json, so no model is generated from it. Rename it to {suggestion}.");
        }

        MisnamedSpecs = found.ToArray();
        return true;
    }

    /// <summary>Whether the start of the file has every top-level key a spec must have, as YAML or as JSON.</summary>
    internal static bool LooksLikeASpec(string path)
    {
        if (TextStart.Read(path, BytesRead) is not { } text)
        {
            return false;
        }

        // A JSON Schema (ModelGen's own among them) describes the keys; it is not a spec.
        return !JsonSchema.IsMatch(text) && SpecKeys.All(key => key.Yaml.IsMatch(text) || key.Json.IsMatch(text));
    }
}
