using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// A batch of preprocessed images and their labels. The enumerator that yields it disposes it when it
/// moves on, so code inside a <c>foreach</c> never needs to.
/// </summary>
/// <param name="Images">[N, 3, H, W], normalised for the backbone.</param>
/// <param name="Labels">[N] class indexes (int64).</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed record ImageBatch(Tensor Images, Tensor Labels) : IDisposable
{
    /// <summary>Images in the batch.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>
    /// The batch's targets after MixUp or CutMix (augment.mixup, augment.cutmix): [N, K] rows of class shares, each the
    /// one-hot row of the image mixed with its neighbour's by λ; null when the batch is not read with mixing. A batch that
    /// the mix probability left unmixed has its one-hot rows here.
    /// </summary>
    public Tensor? Targets { get; init; }

    /// <summary>Each image's index in the folder's samples (unreadable images are left out of the batch).</summary>
    internal IReadOnlyList<int> SampleIndexes { get; init; } = [];

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        Targets?.Dispose();
    }
}

/// <summary>A batch of backbone features and their labels; disposed by the enumerator that yields it.</summary>
/// <param name="Features">[N, C, H, W].</param>
/// <param name="Labels">[N] class indexes (int64).</param>
public sealed record FeatureBatch(Tensor Features, Tensor Labels) : IDisposable
{
    /// <summary>Samples in the batch.</summary>
    public int Count => (int)Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Labels.Dispose();
    }
}
