using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelGen.Shared;

namespace ModelGen.Build;

/// <summary>
/// Finds the files the project's specs name (<c>backbone.weights</c> when it is a file, <c>backbone.path</c>
/// of an ONNX backbone) so the build copies them into the output and publish folders, where the generated
/// model looks for them at run time (<see cref="SpecFileLayout"/>). This is what lets the build record no
/// absolute path in the user's assembly: a published app finds its weights next to itself.
/// A file that does not exist when the project builds is left alone; the model's error names it at run time.
/// </summary>
public sealed class FindSpecFiles : Task
{
    /// <summary>How much of each spec is read: specs are small, and the generator refuses larger ones anyway.</summary>
    public const int BytesRead = 1024 * 1024;

    /// <summary>
    /// <c>weights: value</c> or <c>path: value</c>, as a YAML block or flow entry or a JSON member; the value
    /// double-quoted, single-quoted or plain.
    /// </summary>
    private static readonly Regex FileKey = new(
        @"(?:^|[\s{,])[""']?(?:weights|path)[""']?[ \t]*:[ \t]*(?:""(?<double>(?:[^""\\\r\n]|\\.)*)""|'(?<single>(?:[^'\r\n]|'')*)'|(?<plain>[^\s,}#""'][^\s,}#]*))",
        RegexOptions.Multiline);

    /// <summary>The project's spec files.</summary>
    [Required]
    public ITaskItem[] Specs { get; set; } = [];

    /// <summary>The project folder.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>The files the specs name that exist, each with <c>Link</c> set to its path in the output folder.</summary>
    [Output]
    public ITaskItem[] Files { get; private set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        var found = new Dictionary<string, ITaskItem>(StringComparer.Ordinal);
        var project = Path.GetFullPath(ProjectDirectory);
        foreach (var spec in Specs)
        {
            var specPath = spec.GetMetadata("FullPath");
            var specDirectory = Path.GetDirectoryName(specPath) ?? project;
            foreach (var value in NamedFiles(TextStart.Read(specPath, BytesRead) ?? ""))
            {
                var file = Path.GetFullPath(Path.Combine(specDirectory, value));
                if (!File.Exists(file) || found.ContainsKey(file))
                {
                    continue;
                }

                var link = SpecFileLayout.OutputPath(Relative(project, file));
                var item = new TaskItem(file);
                item.SetMetadata("Link", link);
                found.Add(file, item);
                Log.LogMessage(MessageImportance.Low, $"ModelGen: {Path.GetFileName(specPath)} names {file}; it is copied to the output as {link}.");
            }
        }

        Files = new List<ITaskItem>(found.Values).ToArray();
        return true;
    }

    /// <summary>The values of the spec's <c>weights</c> and <c>path</c> keys that could be file paths.</summary>
    internal static IEnumerable<string> NamedFiles(string text)
    {
        foreach (Match match in FileKey.Matches(text))
        {
            var value = match.Groups["double"].Success ? Unescape(match.Groups["double"].Value)
                : match.Groups["single"].Success ? match.Groups["single"].Value.Replace("''", "'")
                : match.Groups["plain"].Value;
            if (value.Length > 0 && value.IndexOf("://", StringComparison.Ordinal) < 0 && value.IndexOfAny(Path.GetInvalidPathChars()) < 0)
            {
                yield return value;
            }
        }
    }

    /// <summary>JSON's escapes that can occur in a path: \\, \/ and \".</summary>
    private static string Unescape(string value) =>
        value.Replace("\\\\", "\u0000").Replace("\\/", "/").Replace("\\\"", "\"").Replace("\u0000", "\\");

    /// <summary>The file's path relative to the project folder, with '/' separators; ".." segments when outside it.</summary>
    private static string Relative(string project, string file)
    {
        var from = new Uri(project.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar);
        return Uri.UnescapeDataString(from.MakeRelativeUri(new Uri(file)).ToString());
    }
}
