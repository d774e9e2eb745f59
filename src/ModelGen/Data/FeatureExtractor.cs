using System.Security.Cryptography;
using System.Text;
using ModelGen.Backbones;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// Runs a backbone over an image folder once and keeps the features on disk (the seed's method 1).
/// The cache key covers everything that changes the features: the architecture and cut, the backbone's
/// current weights (a hash of every value, so fine-tuned weights never reuse stale features), the input
/// size, gray or color, the preprocessing, and every file's path, label, size and modification time.
/// </summary>
public static class FeatureExtractor
{
    private const string KeyVersion = "modelgen-features-v1";

    /// <summary>The features of every readable image of <paramref name="images"/>, from the cache when possible.</summary>
    public static FeatureSet Extract(Backbone backbone, ImageFolder images, ModelOptions options, Device device, int batchSize = 32, ProgressMode progress = ProgressMode.Auto)
    {
        var folder = FeatureCache.Folder(options);
        var key = CacheKey(backbone, images);
        if (FeatureCache.TryLoad(folder, key) is { } cached)
        {
            return cached;
        }

        var set = Compute(backbone, images, device, batchSize, progress);
        FeatureCache.Store(folder, key, set);
        return set;
    }

    /// <summary>The cache key for <paramref name="backbone"/> over <paramref name="images"/> (hex SHA-256).</summary>
    public static string CacheKey(Backbone backbone, ImageFolder images)
    {
        var d = backbone.Definition;
        var text = new StringBuilder()
            .AppendLine(KeyVersion)
            .AppendLine(d.Architecture).AppendLine(d.CutAt ?? "(end)")
            .AppendLine($"{d.Height}x{d.Width}x{d.SourceChannels}")
            .AppendLine(backbone.Input.Preprocessing.Describe())
            .AppendLine(backbone.StateHash())
            .AppendLine(string.Join("|", images.Classes));
        foreach (var sample in images.Samples)
        {
            text.Append(Path.GetRelativePath(images.Directory, sample.Path)).Append('|').Append(sample.Label).Append('|')
                .Append(sample.Length).Append('|').Append(sample.LastWriteTicks).Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    /// <summary>Runs the backbone over the images without the cache.</summary>
    public static FeatureSet Compute(Backbone backbone, ImageFolder images, Device device, int batchSize = 32, ProgressMode progress = ProgressMode.Auto)
    {
        backbone.eval();
        var features = new List<Tensor>();
        var labels = new List<Tensor>();
        using var display = ProgressDisplay.Start($"Extracting features from {images.Directory}", images.Count, "images", progress, Console.Out);
        try
        {
            using (inference_mode())
            {
                foreach (var batch in ImageBatches.Read(images, backbone.Input, batchSize))
                {
                    using var scope = NewDisposeScope();
                    var output = backbone.forward(batch.Images.to(device));
                    features.Add(output.cpu().MoveToOuterDisposeScope());
                    labels.Add(batch.Labels.clone().MoveToOuterDisposeScope());
                    display.Advance(batch.Count);
                }
            }

            if (features.Count == 0)
            {
                throw new ImageFolderException($"None of the {images.Count} images in {images.Directory} could be read ({images.Skipped} skipped).");
            }

            // Inference-mode tensors cannot join autograd later; clone them into normal tensors.
            Tensor all, allLabels;
            using (var scope = NewDisposeScope())
            {
                all = cat(features, 0).clone().MoveToOuterDisposeScope();
                allLabels = cat(labels, 0).clone().MoveToOuterDisposeScope();
            }

            display.Complete($"{all.shape[0]} images → features {string.Join("x", all.shape.Skip(1))}{(images.Skipped > 0 ? $", {images.Skipped} skipped" : "")}");
            return new FeatureSet(all, allLabels, images.Classes, images.Skipped);
        }
        finally
        {
            foreach (var tensor in features.Concat(labels))
            {
                tensor.Dispose();
            }
        }
    }
}
