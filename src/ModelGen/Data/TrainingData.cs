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
    /// of the training images (per class, ranked by <paramref name="seed"/> and their file names: see
    /// <see cref="ValidationSplit"/>) are held out for validation, and the split is logged
    /// (<see cref="LogEvents.ValidationSplitImagesHeldOut"/>).
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

        var (kept, held) = ValidationSplit.HoldOut(train.Samples.Select(s => s.Label).ToList(), train.Samples.Select(s => s.Path).ToList(), train.Classes, split, seed);
        // Multi-label and regression samples all have label 0: one stratum, reported as such, not as the first name.
        var perClass = task == TaskKind.Classification
            ? string.Join(", ", held.GroupBy(i => train.Samples[i].Label).OrderBy(g => g.Key).Select(g => $"{train.Classes[g.Key]} {g.Count()}"))
            : $"all images {held.Count}";
        (logger ?? NullLogger.Instance).ValidationSplitImagesHeldOut(held.Count, train.Samples.Count, split, seed, perClass);
        return new TrainingData(train.Subset(kept, "training part"), train.Subset(held, "validation split"));
    }
}
