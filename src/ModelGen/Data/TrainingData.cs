using ModelGen.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelGen.Data;

/// <summary>The training images and, when there are any, the validation images, with their classes.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class TrainingData
{
    private TrainingData(ImageFolder train, ImageFolder? validation)
    {
        Train = train;
        Validation = validation;
    }

    /// <summary>The training images.</summary>
    public ImageFolder Train { get; }

    /// <summary>The validation images, or null.</summary>
    public ImageFolder? Validation { get; }

    /// <summary>Class names in label order.</summary>
    public IReadOnlyList<string> Classes => Train.Classes;

    /// <summary>
    /// Opens the training folder and the validation folder; without one, <paramref name="validationSplit"/>
    /// of the training images (per class, drawn with <paramref name="seed"/>) are held out for validation.
    /// Images found unreadable are counted, and reported to <paramref name="logger"/> with the path and the reason.
    /// </summary>
    /// <exception cref="ImageFolderException">A folder is missing or its classes do not match.</exception>
    public static TrainingData Open(string trainDirectory, string? validationDirectory, IReadOnlyList<string> declaredClasses, double? validationSplit, int seed, ILogger? logger = null) =>
        OpenForTask(trainDirectory, validationDirectory, TaskKind.Classification, declaredClasses, validationSplit, seed, logger);

    /// <summary>
    /// As <see cref="Open(string, string?, IReadOnlyList{string}, double?, int, ILogger?)"/> for a model of <paramref name="task"/>:
    /// each path is an image folder (classification) or a manifest (.csv/.tsv, any task), and <paramref name="names"/> are
    /// the declared classes or, for a regression, the targets. Multi-label and regression splits are drawn from all images alike.
    /// </summary>
    /// <exception cref="ImageFolderException">A folder or manifest is missing or does not fit.</exception>
    public static TrainingData OpenForTask(string trainPath, string? validationPath, TaskKind task, IReadOnlyList<string> names, double? validationSplit, int seed, ILogger? logger = null)
    {
        var train = ImageFolder.OpenForTask(trainPath, task, names, logger);
        if (validationPath is not null)
        {
            return new TrainingData(train, ImageFolder.OpenForTask(validationPath, task, train.Classes, logger));
        }

        if (validationSplit is not { } split || split <= 0 || split >= 1)
        {
            return new TrainingData(train, null);
        }

        var (kept, held) = HoldOut(train.Samples.Select(s => s.Label).ToList(), split, seed);
        return new TrainingData(train.Subset(kept, "training part"), train.Subset(held, "validation split"));
    }

    /// <summary>
    /// The validation split: <paramref name="split"/> of each class's samples, drawn with <paramref name="seed"/>,
    /// held out. The same draw for images and for their extracted features, so both training paths validate on
    /// the same images (when none was skipped). Returns the kept and the held-out indexes, each in ascending order.
    /// </summary>
    internal static (List<int> Kept, List<int> Held) HoldOut(IReadOnlyList<int> labels, double split, int seed)
    {
        var random = new Random(seed);
        var held = new List<int>();
        var kept = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]))
        {
            var indexes = group.ToArray();
            random.Shuffle(indexes);
            var take = (int)Math.Round(indexes.Length * split);
            held.AddRange(indexes.Take(take));
            kept.AddRange(indexes.Skip(take));
        }

        held.Sort();
        kept.Sort();
        return (kept, held);
    }
}
