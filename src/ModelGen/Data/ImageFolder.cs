using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelGen.Training;

namespace ModelGen.Data;

/// <summary>
/// Images in the usual layout <c>&lt;dir&gt;/&lt;class&gt;/&lt;image&gt;</c> (png, jpg, jpeg, bmp, gif, webp).
/// Classes are the folder names in ordinal order, or the spec's labels in their order (matched ignoring
/// case). Images that turn out unreadable are skipped, counted in <see cref="Skipped"/> and reported to
/// the folder's logger (<see cref="LogEvents.ImageSkipped"/>, with the path and the reason), once per file.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class ImageFolder
{
    /// <summary>The file extensions read as images.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    private readonly SkipCounter _skipped;
    private readonly ILogger _logger;

    private ImageFolder(string directory, IReadOnlyList<string> classes, IReadOnlyList<ImageSample> samples, SkipCounter skipped, ILogger logger, string? part = null, TaskKind task = TaskKind.Classification, string? manifest = null)
    {
        Directory = directory;
        Manifest = manifest;
        Name = ShortName(manifest ?? directory) + (part is null ? "" : $" ({part}, {samples.Count} images)");
        Classes = classes;
        Samples = samples;
        Task = task;
        _skipped = skipped;
        _logger = logger;
    }

    /// <summary>The folder's full path (for a manifest, the folder its paths are relative to).</summary>
    public string Directory { get; }

    /// <summary>The manifest's full path when the images come from a CSV/TSV file, else null.</summary>
    public string? Manifest { get; }

    /// <summary>
    /// What each image's target is: a class index (classification), a multi-hot row over <see cref="Classes"/>
    /// (multi-label) or one number per target, named by <see cref="Classes"/> (regression).
    /// </summary>
    public TaskKind Task { get; }

    /// <summary>
    /// The folder for messages and progress bars: relative to the current folder when it is under it (else its
    /// full path), and for a subset which part it is: "data/train (validation split, 200 images)".
    /// </summary>
    public string Name { get; }

    /// <summary>Class names in label order (for a regression, the target names in output order).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The images, in a stable order (class, then file name).</summary>
    internal IReadOnlyList<ImageSample> Samples { get; }

    /// <summary>How many images.</summary>
    public int Count => Samples.Count;

    /// <summary>Images found unreadable so far (they are skipped, never a crash).</summary>
    public int Skipped => _skipped.Count;

    /// <summary>The number of batches of <paramref name="batchSize"/> images.</summary>
    public int BatchCount(int batchSize) => (Count + batchSize - 1) / batchSize;

    /// <summary>
    /// Opens an image folder. With <paramref name="classes"/> (the spec's labels, or the classes a model was
    /// trained on) the class folders must be exactly those, ignoring case, and take their order. Skipped
    /// images are counted, and reported to <paramref name="logger"/> with the path and the reason.
    /// </summary>
    /// <exception cref="ImageFolderException">The folder is missing, has no class folders, or its classes differ from <paramref name="classes"/>.</exception>
    public static ImageFolder Open(string directory, IReadOnlyList<string>? classes = null, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var full = Path.GetFullPath(directory);
        if (ImageManifest.IsManifest(full) && !System.IO.Directory.Exists(full))
        {
            return OpenManifest(full, TaskKind.Classification, classes, logger);
        }

        if (!System.IO.Directory.Exists(full))
        {
            throw new ImageFolderException($"The image folder {full} does not exist; expected one subfolder per class with the images inside (<dir>/<class>/<image>).");
        }

        var folders = System.IO.Directory.GetDirectories(full)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (folders.Count == 0)
        {
            throw new ImageFolderException($"The image folder {full} has no class folders; expected one subfolder per class (<dir>/<class>/<image>).");
        }

        // Issue 18 item 17: "Coat" and "coat" both match the label coat, and one of them was silently ignored.
        var twins = folders.GroupBy(f => f, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (twins is not null)
        {
            throw new ImageFolderException(
                $"The class folders {string.Join(" and ", twins.Select(f => $"'{f}'"))} of {full} differ only in case; class names are matched "
                + "ignoring case, so they would be one class. Merge them into one folder or rename one.");
        }

        var order = folders;
        if (classes is { Count: > 0 })
        {
            var extra = folders.Where(f => !classes.Contains(f, StringComparer.OrdinalIgnoreCase)).ToList();
            var missing = classes.Where(c => !folders.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
            if (extra.Count > 0 || missing.Count > 0)
            {
                throw new ImageFolderException(
                    $"The class folders of {full} do not match the model's classes. Folders: {string.Join(", ", folders)}. "
                    + $"Classes: {string.Join(", ", classes)}."
                    + (missing.Count > 0 ? $" Missing folders: {string.Join(", ", missing)}." : "")
                    + (extra.Count > 0 ? $" Unexpected folders: {string.Join(", ", extra)}." : "")
                    + " Folder names must equal the labels (ignoring case).");
            }

            order = classes.Select(c => folders.First(f => string.Equals(f, c, StringComparison.OrdinalIgnoreCase))).ToList();
        }

        var samples = new List<ImageSample>();
        for (var label = 0; label < order.Count; label++)
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(Path.Combine(full, order[label])).Order(StringComparer.Ordinal))
            {
                if (!Extensions.Contains(Path.GetExtension(file)))
                {
                    continue;
                }

                var info = new FileInfo(file);
                samples.Add(new ImageSample(file, label, info.Length, info.LastWriteTimeUtc.Ticks));
            }
        }

        if (samples.Count == 0)
        {
            throw new ImageFolderException($"The class folders of {full} ({string.Join(", ", order)}) hold no images ({string.Join(", ", Extensions)}).");
        }

        var names = classes is { Count: > 0 } ? classes.ToList() : order;
        return new ImageFolder(full, names, samples, new SkipCounter(), logger);
    }

    /// <summary>
    /// Opens the images of a model of <paramref name="task"/>: an image folder (classification only), or a manifest (a
    /// .csv or .tsv file whose header is <c>path</c> and then <c>label</c>, <c>labels</c> or the targets; see
    /// docs/spec-reference.md). <paramref name="names"/> are the classes (the spec's labels, or those a model was trained
    /// on) or, for a regression, the targets. Rows that cannot be used are reported to <paramref name="logger"/> with the
    /// manifest, the row and the reason (<see cref="LogEvents.ManifestRowSkipped"/>), skipped, and counted in <see cref="Skipped"/>.
    /// </summary>
    /// <exception cref="ImageFolderException">The folder or manifest is missing or does not fit (see <see cref="Open(string, IReadOnlyList{string}?, ILogger?)"/>); a manifest's header is not the one expected; a model of another task is given a folder.</exception>
    public static ImageFolder OpenForTask(string path, TaskKind task, IReadOnlyList<string>? names, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var full = Path.GetFullPath(path);
        if (ImageManifest.IsManifest(full) && !System.IO.Directory.Exists(full))
        {
            return OpenManifest(full, task, names, logger);
        }

        return task == TaskKind.Classification
            ? Open(full, names, logger)
            : throw new ImageFolderException(
                $"{full} is not a manifest: task: {ModelGen.Shared.SpecWords.Tasks.WordOf(task)} reads its images and targets from a .csv or .tsv file "
                + $"whose header is {string.Join(",", ImageManifest.ExpectedColumns(task, names))}.");
    }

    private static ImageFolder OpenManifest(string manifest, TaskKind task, IReadOnlyList<string>? names, ILogger logger)
    {
        var contents = ImageManifest.Read(manifest, task, names);
        var folder = new ImageFolder(Path.GetDirectoryName(manifest)!, contents.Names, contents.Samples, new SkipCounter(), logger, task: task, manifest: manifest);
        foreach (var problem in contents.Problems)
        {
            if (folder._skipped.Add($"{manifest}#{problem.Row}"))
            {
                logger.ManifestRowSkipped(manifest, problem.Row, problem.Reason);
            }
        }

        if (contents.Samples.Count == 0)
        {
            throw new ImageFolderException($"The manifest {manifest} lists no usable images ({contents.Problems.Count} rows skipped{(contents.Problems.Count > 0 ? $"; the first, row {contents.Problems[0].Row}: {contents.Problems[0].Reason}" : "")}).");
        }

        return folder;
    }

    /// <summary>A view with some of the images (a validation split); it reports to the same logger but counts its own skipped images.</summary>
    public ImageFolder Subset(IEnumerable<int> indexes) =>
        new(Directory, Classes, indexes.Select(i => Samples[i]).ToList(), new SkipCounter(), _logger, task: Task, manifest: Manifest);

    /// <summary>As <see cref="Subset(IEnumerable{int})"/>, named for messages as <paramref name="part"/> of the folder ("validation split").</summary>
    public ImageFolder Subset(IEnumerable<int> indexes, string part) =>
        new(Directory, Classes, indexes.Select(i => Samples[i]).ToList(), new SkipCounter(), _logger, part, Task, Manifest);

    /// <summary>
    /// The targets of the images at <paramref name="indexes"/> as the loss takes them: [N] int64 class indexes
    /// (classification) or [N, K] float32 rows (multi-label's multi-hot rows, regression's numbers).
    /// </summary>
    internal TorchSharp.torch.Tensor Targets(IReadOnlyList<int> indexes)
    {
        if (Task == TaskKind.Classification)
        {
            return TorchSharp.torch.tensor(indexes.Select(i => (long)Samples[i].Label).ToArray());
        }

        var width = Classes.Count;
        var values = new float[indexes.Count * width];
        for (var row = 0; row < indexes.Count; row++)
        {
            Samples[indexes[row]].Targets!.CopyTo(values, row * width);
        }

        return TorchSharp.torch.tensor(values, [indexes.Count, width]);
    }

    private static string ShortName(string directory)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, directory);
        return relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? directory : relative;
    }

    /// <summary>Counts an unreadable image and reports it the first time (thread-safe).</summary>
    internal void CountSkipped(string path, string reason)
    {
        if (_skipped.Add(path))
        {
            _logger.ImageSkipped(path, reason);
        }
    }

    private sealed class SkipCounter
    {
        private readonly HashSet<string> _paths = [];

        public int Count
        {
            get
            {
                lock (_paths)
                {
                    return _paths.Count;
                }
            }
        }

        public bool Add(string path)
        {
            lock (_paths)
            {
                return _paths.Add(path);
            }
        }
    }
}
