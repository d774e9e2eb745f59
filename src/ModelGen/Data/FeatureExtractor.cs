using ModelGen.Training;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelGen.Progress;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// Runs a backbone over an image folder once and keeps the features on disk (feature extraction).
/// The cache key covers everything that changes the features: the source's fingerprint (for a backbone:
/// the architecture, the cut and its current weights), the input size, gray or color, the preprocessing
/// (with the mean image's values), and every file's path, label, size and modification time.
/// </summary>
internal static class FeatureExtractor
{
    private const string KeyVersion = "modelgen-features-v1";

    /// <summary>
    /// The features of every readable image of <paramref name="images"/>, from the cache when possible;
    /// the cache's events and the extraction's closing line go to <see cref="ModelOptions.Logger"/>.
    /// </summary>
    /// <remarks>
    /// <paramref name="engine"/> is asked on a cache miss for the forward pass to run instead of the source's own (ONNX
    /// Runtime's, chosen by the caller's engine rule); null, or a null answer, runs the source.
    /// </remarks>
    public static FeatureSet Extract(IFeatureSource source, ImageFolder images, ModelOptions options, Device device, int batchSize = 32, ProgressMode progress = ProgressMode.Auto, Func<Func<Tensor, Tensor>?>? engine = null)
    {
        var logger = options.Logger;
        var folder = FeatureCache.Folder(options);
        var key = CacheKey(source, images);
        if (FeatureCache.TryLoad(folder, key, logger, entry => Misfit(entry, source, images)) is { } cached)
        {
            // The entry keeps no paths; with nothing skipped its samples are the images, in order (the key covers every file).
            cached.SourcePaths = cached.Skipped == 0 ? images.Samples.Select(s => s.Path).ToList() : null;
            return cached;
        }

        // The engine for this pass, asked only now that the images are to be run (the caller logs its choice).
        var forward = engine?.Invoke();

        var set = Compute(source, images, device, batchSize, progress, logger, forward);
        FeatureCache.Store(folder, key, set, logger);
        return set;
    }

    /// <summary>
    /// Why a cache entry stored under the key of <paramref name="source"/> over <paramref name="images"/> cannot be
    /// their features, or null. Its checksum matched, so only a forged entry (or a faulty writer) gets here; its
    /// labels were checked against its classes on reading (issue 18 item 20).
    /// </summary>
    private static string? Misfit(FeatureSet entry, IFeatureSource source, ImageFolder images)
    {
        if (!entry.SampleShape.SequenceEqual(source.FeatureShape))
        {
            return $"it holds features of {string.Join("x", entry.SampleShape)} per image, but the backbone gives {string.Join("x", source.FeatureShape)}";
        }

        if (!entry.Classes.SequenceEqual(images.Classes, StringComparer.Ordinal))
        {
            return $"its classes ({string.Join(", ", entry.Classes)}) are not the images' ({string.Join(", ", images.Classes)})";
        }

        return entry.Count + (long)entry.Skipped == images.Count ? null
            : $"it holds {entry.Count} images' features and {entry.Skipped} skipped, but there are {images.Count} images";
    }

    /// <summary>The cache key for <paramref name="source"/> over <paramref name="images"/> (hex SHA-256).</summary>
    public static string CacheKey(IFeatureSource source, ImageFolder images)
    {
        var input = source.Input;
        var text = new StringBuilder()
            .AppendLine(KeyVersion)
            .AppendLine(source.Fingerprint())
            .AppendLine($"{input.Height}x{input.Width}x{input.SourceChannels}")
            .AppendLine(input.Preprocessing.Describe()).AppendLine(MeanImageHash(input.Preprocessing))
            .AppendLine(string.Join("|", images.Classes));
        if (images.Task != TaskKind.Classification)
        {
            // Only for the other tasks, so that the keys of classification entries stay what they were.
            text.AppendLine("task " + images.Task);
        }

        foreach (var sample in images.Samples)
        {
            text.Append(Path.GetRelativePath(images.Directory, sample.Path)).Append('|').Append(sample.TargetText).Append('|')
                .Append(sample.Length).Append('|').Append(sample.LastWriteTicks).Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    // Describe gives only the mean image's shape; another mean image of the same size must change the key too.
    private static string MeanImageHash(Preprocessing preprocessing)
    {
        if (preprocessing.MeanImage is null)
        {
            return "(no mean image)";
        }

        using var cpu = preprocessing.MeanImage.detach().cpu().contiguous();
        return Convert.ToHexString(SHA256.HashData(cpu.bytes));
    }

    /// <summary>Runs the source's network over the images without the cache; unless <paramref name="progress"/> is <see cref="ProgressMode.None"/>, a line to <paramref name="logger"/> says what came out. <paramref name="forward"/>, when set, computes a batch's features instead of the source's network (ONNX Runtime's session).</summary>
    public static FeatureSet Compute(IFeatureSource source, ImageFolder images, Device device, int batchSize = 32, ProgressMode progress = ProgressMode.Auto, ILogger? logger = null, Func<Tensor, Tensor>? forward = null)
    {
        logger ??= NullLogger.Instance;
        var network = source.Network;
        network.eval();
        forward ??= network.forward;
        var mode = ProgressDisplay.Resolve(progress);
        using var display = ProgressDisplay.Start($"Extracting features from {images.Name}", images.Count, "images", mode, logger);

        // Each batch's features are copied into one tensor made up front (outside inference mode, so it
        // can join autograd later): no list of batches to concatenate, no second copy of the features.
        var all = empty([images.Count, .. source.FeatureShape]);
        var allLabels = images.Task == TaskKind.Classification ? empty([images.Count], ScalarType.Int64) : empty([images.Count, images.Classes.Count], ScalarType.Float32);
        var count = 0L;
        var paths = new List<string>(images.Count);
        try
        {
            using (inference_mode())
            {
                foreach (var batch in ImageBatches.Read(images, source.Input, batchSize))
                {
                    using var scope = NewDisposeScope();
                    var output = forward(batch.Images.to(device));
                    all.narrow(0, count, batch.Count).copy_(output);
                    allLabels.narrow(0, count, batch.Count).copy_(batch.Labels);
                    count += batch.Count;
                    paths.AddRange(batch.SampleIndexes.Select(i => images.Samples[i].Path));
                    display.Advance(batch.Count);
                }
            }

            if (count == 0)
            {
                throw new ImageFolderException($"None of the {images.Count} images in {images.Name} could be read ({images.Skipped} skipped).");
            }

            if (count < images.Count)
            {
                using var scope = NewDisposeScope();
                var (kept, keptLabels) = (all.narrow(0, 0, count).clone().MoveToOuterDisposeScope(), allLabels.narrow(0, 0, count).clone().MoveToOuterDisposeScope());
                all.Dispose();
                allLabels.Dispose();
                (all, allLabels) = (kept, keptLabels);
            }

            var (seconds, rate) = (display.Elapsed.TotalSeconds, display.Rate);
            display.Dispose();
            if (mode != ProgressMode.None)
            {
                logger.FeaturesExtracted(images.Name, all.shape[0], string.Join("x", all.shape.Skip(1)), images.Skipped, seconds, rate);
            }

            return new FeatureSet(all, allLabels, images.Classes, images.Skipped) { SourcePaths = paths, Task = images.Task };
        }
        catch
        {
            all.Dispose();
            allLabels.Dispose();
            throw;
        }
    }
}
