using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// A network that turns images into features, as <see cref="FeatureExtractor"/> needs it: a backbone
/// implements it, so that the data side runs networks without knowing how they are built.
/// </summary>
internal interface IFeatureSource
{
    /// <summary>What images must become before the network sees them.</summary>
    ImageInput Input { get; }

    /// <summary>[channels, height, width] of one image's features.</summary>
    IReadOnlyList<long> FeatureShape { get; }

    /// <summary>The network; it runs in evaluation mode over batches of prepared images.</summary>
    nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>
    /// Text that changes whenever the features of a given input would: for a backbone, its architecture,
    /// its cut and a hash of every weight (so fine-tuned weights never reuse stale features). Part of the
    /// feature cache's key.
    /// </summary>
    string Fingerprint();
}
