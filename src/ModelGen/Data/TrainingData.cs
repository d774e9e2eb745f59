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
    public static TrainingData Open(string trainDirectory, string? validationDirectory, IReadOnlyList<string> declaredClasses, double? validationSplit, int seed, ILogger? logger = null)
    {
        var train = ImageFolder.Open(trainDirectory, declaredClasses, logger);
        if (validationDirectory is not null)
        {
            return new TrainingData(train, ImageFolder.Open(validationDirectory, train.Classes, logger));
        }

        if (validationSplit is not { } split || split <= 0 || split >= 1)
        {
            return new TrainingData(train, null);
        }

        var (kept, held) = ValidationSplit.HoldOut(train.Samples.Select(s => s.Label).ToList(), train.Samples.Select(s => s.Path).ToList(), train.Classes, split, seed);
        var perClass = string.Join(", ", held.GroupBy(i => train.Samples[i].Label).OrderBy(g => g.Key).Select(g => $"{train.Classes[g.Key]} {g.Count()}"));
        (logger ?? NullLogger.Instance).ValidationSplitImagesHeldOut(held.Count, train.Samples.Count, split, seed, perClass);
        return new TrainingData(train.Subset(kept, "training part"), train.Subset(held, "validation split"));
    }
}
