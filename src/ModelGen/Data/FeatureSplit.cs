using ModelGen.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// The features a <c>Train(FeatureSet)</c> trains and validates on: the given ones, or, without validation
/// features and with <c>training.validation_split</c> in the spec, the training features with that part of
/// each class held out for validation, drawn with the run's seed as <c>Train(directory)</c> draws images.
/// Disposing frees only the feature sets the split made.
/// </summary>
public sealed class FeatureSplit : IDisposable
{
    private readonly bool _owned;

    private FeatureSplit(FeatureSet train, FeatureSet? validation, bool owned)
    {
        Train = train;
        Validation = validation;
        _owned = owned;
    }

    /// <summary>The features to train on.</summary>
    public FeatureSet Train { get; }

    /// <summary>The features to validate on, or null.</summary>
    public FeatureSet? Validation { get; }

    /// <summary>
    /// <paramref name="train"/> and <paramref name="validation"/> as given when there are validation features or
    /// no split; else <paramref name="validationSplit"/> of each class of <paramref name="train"/> held out.
    /// </summary>
    public static FeatureSplit Of(FeatureSet train, FeatureSet? validation, double? validationSplit, int seed, ILogger? logger = null)
    {
        if (validation is not null || validationSplit is not { } split || split <= 0 || split >= 1)
        {
            return new FeatureSplit(train, validation, owned: false);
        }

        // Classes are held out in proportion; multi-label and regression targets are one stratum (ranked by file name alike).
        var labels = train.Task == TaskKind.Classification ? train.Labels.data<long>().Select(l => (int)l).ToList() : Enumerable.Repeat(0, train.Count).ToList();
        var (kept, held) = ValidationSplit.HoldOut(labels, train.SourcePaths, train.Classes, split, seed);
        (logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).ValidationSplitHeldOut(held.Count, labels.Count, split);
        return new FeatureSplit(Part(train, kept), Part(train, held), owned: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_owned)
        {
            Train.Dispose();
            Validation?.Dispose();
        }
    }

    private static FeatureSet Part(FeatureSet set, List<int> indexes)
    {
        using var index = tensor(indexes.Select(i => (long)i).ToArray());
        return new FeatureSet(set.Features.index_select(0, index), set.Labels.index_select(0, index), set.Classes, skipped: 0)
        {
            SourcePaths = set.SourcePaths is { } paths ? indexes.Select(i => paths[i]).ToList() : null,
            Task = set.Task,
        };
    }
}
