using System.Globalization;
using ModelGen.Training;
using nietras.SeparatedValues;

namespace ModelGen.Data;

/// <summary>
/// A CSV or TSV file listing images and their targets, read wherever an image folder is accepted. The header is
/// <c>path</c> (relative to the manifest's folder), then <c>label</c> (classification), <c>labels</c> (multi-label,
/// separated by <c>;</c>, possibly none) or one column per declared target (regression). Rows that cannot be used
/// are returned as problems (the caller logs and counts them like unreadable images); a wrong header is an
/// <see cref="ImageFolderException"/> naming the header expected.
/// </summary>
internal static class ImageManifest
{
    /// <summary>Whether <paramref name="path"/> names a manifest (a .csv or .tsv file) rather than an image folder.</summary>
    public static bool IsManifest(string path) =>
        Path.GetExtension(path) is { } extension
        && (extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) || extension.Equals(".tsv", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads the manifest at <paramref name="path"/> (a full path) for <paramref name="task"/>. <paramref name="names"/>
    /// are the classes (classification, multi-label; for classification, null takes them from the rows in ordinal
    /// order) or the targets (regression, required).
    /// </summary>
    /// <exception cref="ImageFolderException">The file is missing, empty, or its header is not the one expected.</exception>
    public static Contents Read(string path, TaskKind task, IReadOnlyList<string>? names)
    {
        if (!File.Exists(path))
        {
            throw new ImageFolderException($"The manifest {path} does not exist; expected a {(IsTsv(path) ? "TSV" : "CSV")} file whose header is {ExpectedHeader(task, names)}.");
        }

        if (task == TaskKind.Regression && names is not { Count: > 0 })
        {
            throw new ArgumentException("A regression manifest is read for its declared targets; none were given.", nameof(names));
        }

        var root = Path.GetDirectoryName(path)!;
        using var reader = (IsTsv(path) ? Sep.New('\t') : Sep.New(','))
            .Reader(o => o with { Unescape = true, DisableColCountCheck = true, CultureInfo = CultureInfo.InvariantCulture })
            .FromFile(path);
        var header = reader.Header.ColNames.Select(n => n.Trim()).ToList();
        var expected = ExpectedColumns(task, names);
        if (!header.SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new ImageFolderException(
                $"The manifest {path} has the header {(header.Count == 0 ? "(none: the file is empty)" : string.Join(Separator(path), header))}, "
                + $"but {TaskWord(task)} expects {ExpectedHeader(task, names)}.");
        }

        var rows = new List<(int Row, string Path, string[] Fields)>();
        var problems = new List<RowProblem>();
        foreach (var row in reader)
        {
            var number = row.RowIndex + 1; // the header is row 1, so data rows count from 2 as a spreadsheet shows them
            if (row.ColCount != expected.Count)
            {
                problems.Add(new RowProblem(number, $"it has {row.ColCount} fields, but the header has {expected.Count} ({string.Join(Separator(path), expected)})"));
                continue;
            }

            var fields = new string[row.ColCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = row[i].ToString().Trim();
            }

            rows.Add((number, fields[0], fields));
        }

        var classes = task == TaskKind.Classification && names is not { Count: > 0 }
            ? rows.Select(r => r.Fields[1]).Where(l => l.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList()
            : names!.ToList();
        var samples = new List<ImageSample>();
        foreach (var (number, relative, fields) in rows)
        {
            if (ImagePath(root, relative) is not { } file)
            {
                problems.Add(new RowProblem(number, relative.Length == 0
                    ? "its path is empty; give the image's path relative to the manifest's folder"
                    : $"its path '{relative}' leads outside the manifest's folder {root}; paths are relative to that folder and stay inside it"));
                continue;
            }

            var info = new FileInfo(file);
            if (!info.Exists)
            {
                problems.Add(new RowProblem(number, $"the image {file} does not exist (paths are relative to the manifest's folder {root})"));
                continue;
            }

            var (label, targets, problem) = task switch
            {
                TaskKind.Classification => Classification(fields[1], classes),
                TaskKind.MultiLabel => MultiLabel(fields[1], classes),
                _ => Regression(fields.AsSpan(1), classes),
            };
            if (problem is not null)
            {
                problems.Add(new RowProblem(number, problem));
                continue;
            }

            samples.Add(new ImageSample(file, label, info.Length, info.LastWriteTimeUtc.Ticks, targets));
        }

        return new Contents(classes, samples, problems.OrderBy(p => p.Row).ToList());
    }

    /// <summary>The columns the header must have, in order.</summary>
    public static IReadOnlyList<string> ExpectedColumns(TaskKind task, IReadOnlyList<string>? names) => task switch
    {
        TaskKind.Classification => ["path", "label"],
        TaskKind.MultiLabel => ["path", "labels"],
        _ => ["path", .. names ?? []],
    };

    private static (int Label, float[]? Targets, string? Problem) Classification(string field, IReadOnlyList<string> classes)
    {
        var index = IndexOf(classes, field);
        return index >= 0 ? (index, null, null) : (0, null, $"its label '{field}' is not one of the classes ({string.Join(", ", classes)})");
    }

    private static (int Label, float[]? Targets, string? Problem) MultiLabel(string field, IReadOnlyList<string> classes)
    {
        var hot = new float[classes.Count];
        foreach (var part in field.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var index = IndexOf(classes, part);
            if (index < 0)
            {
                return (0, null, $"its label '{part}' is not one of the labels ({string.Join(", ", classes)}; several are separated by ';')");
            }

            hot[index] = 1;
        }

        return (0, hot, null);
    }

    private static (int Label, float[]? Targets, string? Problem) Regression(ReadOnlySpan<string> fields, IReadOnlyList<string> targets)
    {
        var values = new float[targets.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
            {
                return (0, null, fields[i].Length == 0
                    ? $"its {targets[i]} is missing; give a number such as 12.5"
                    : $"its {targets[i]} '{fields[i]}' is not a finite number; write numbers such as 12.5, -3 or 1e-3 (a '.' for decimals)");
            }
        }

        return (0, values, null);
    }

    // Labels match the classes ignoring case, as image folders' names do.
    private static int IndexOf(IReadOnlyList<string> classes, string label)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], label, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    // The image's full path, or null when the path is empty, rooted, or leaves the manifest's folder.
    private static string? ImagePath(string root, string relative)
    {
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\0'))
        {
            return null;
        }

        var full = Path.GetFullPath(Path.Combine(root, relative.Replace('\\', '/')));
        var inside = Path.GetRelativePath(root, full);
        return inside == "." || inside.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(inside) ? null : full;
    }

    private static string ExpectedHeader(TaskKind task, IReadOnlyList<string>? names) =>
        string.Join(",", ExpectedColumns(task, names)) + task switch
        {
            TaskKind.Classification => " (then one row per image: its path and its class)",
            TaskKind.MultiLabel => " (then one row per image: its path and its labels separated by ';', possibly none)",
            _ => " (then one row per image: its path and a number per target)",
        };

    private static string TaskWord(TaskKind task) => "task: " + ModelGen.Shared.SpecWords.Tasks.WordOf(task);

    private static bool IsTsv(string path) => Path.GetExtension(path).Equals(".tsv", StringComparison.OrdinalIgnoreCase);

    private static string Separator(string path) => IsTsv(path) ? "\\t" : ",";

    /// <summary>What a manifest holds: the classes (or targets), the usable rows and the rows that are not.</summary>
    public sealed record Contents(IReadOnlyList<string> Names, IReadOnlyList<ImageSample> Samples, IReadOnlyList<RowProblem> Problems);

    /// <summary>A row that cannot be used: its number in the file (the header is row 1) and why.</summary>
    public sealed record RowProblem(int Row, string Reason);
}
