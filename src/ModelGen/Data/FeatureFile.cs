using ModelGen.Training;
using System.Globalization;
using System.Text.Json;
using ModelGen.Storage;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// The on-disk form of a <see cref="FeatureSet"/>, in ModelGen's checksummed container (kind FEAT): a JSON
/// header (count, shape, classes, skipped), then the float32 features and the int64 labels. Reading checks
/// the file whole and the sizes against the header before it allocates, and every label against the classes,
/// so a damaged or forged file, or one in an older layout, is never read as data: it is a cache miss, with the reason.
/// </summary>
internal static class FeatureFile
{
    private const string FeaturesTag = "FEAT";
    private const string LabelsTag = "LABL";

    /// <summary>Version 1 was the layout before the container (magic MGFEAT01).</summary>
    private static readonly FileFormat Format = new("FEAT", Version: 2, "feature file", "MGFEAT01");

    private static readonly JsonSerializerOptions Json = ChecksummedFile.StrictJson();

    /// <summary>Writes a feature set to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(string path, FeatureSet set)
    {
        // Hashed and written straight from the tensors' memory: a managed copy of the features (65 MB for
        // 1,000 images of resnet18 at layer3) would raise the process's peak and linger until a full GC.
        using var features = set.Features.contiguous();
        using var labels = set.Labels.contiguous();
        var header = new Header(set.Count, set.SampleShape, [.. set.Classes], set.Skipped, set.Task);
        ChecksummedFile.Write(
            path,
            Format,
            header,
            Json,
            [new FileSection(FeaturesTag, stream => stream.Write(features.bytes)), new FileSection(LabelsTag, stream => stream.Write(labels.bytes))],
            durable: false); // a cache: reading checks the SHA-256, and a damaged entry is extracted again
    }

    /// <summary>Reads a feature set, or explains in <paramref name="problem"/> why the file cannot be used.</summary>
    public static FeatureSet? TryRead(string path, out string? problem)
    {
        problem = null;
        try
        {
            using var file = ChecksummedFile.Open(path, Format);
            var header = file.Header<Header>(Json);
            if (header.Count < 0 || header.Skipped < 0 || header.Shape.Any(d => d <= 0) || header.Classes.Any(c => c is null))
            {
                problem = "its header is damaged";
                return null;
            }

            var perSample = header.Shape.Aggregate(1L, (a, b) => checked(a * b));
            var featureBytes = checked(header.Count * perSample * sizeof(float));
            var classification = header.Task == TaskKind.Classification;
            var labelBytes = classification ? checked(header.Count * (long)sizeof(long)) : checked(header.Count * (long)header.Classes.Length * sizeof(float));
            if (file.LengthOf(FeaturesTag) != featureBytes || file.LengthOf(LabelsTag) != labelBytes)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"its header describes {featureBytes + labelBytes:N0} bytes of features and labels, but it holds {file.LengthOf(FeaturesTag) + file.LengthOf(LabelsTag):N0} (damaged)");
                return null;
            }

            // Read straight into the tensors: the sizes and the checksum are checked above.
            using var scope = NewDisposeScope();
            var featureTensor = empty([header.Count, .. header.Shape], ScalarType.Float32);
            var labelTensor = classification ? empty([header.Count], ScalarType.Int64) : empty([header.Count, header.Classes.Length], ScalarType.Float32);
            file.ReadSection(FeaturesTag, featureTensor.bytes);
            file.ReadSection(LabelsTag, labelTensor.bytes);
            if ((classification ? LabelsOutside(labelTensor, header.Classes.Length) : TargetsInvalid(labelTensor, header.Task)) is { } outside)
            {
                problem = outside;
                return null;
            }

            return new FeatureSet(featureTensor.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope(), header.Classes, header.Skipped) { Task = header.Task };
        }
        catch (ChecksummedFileException e)
        {
            problem = e.Reason;
            return null;
        }
        catch (OverflowException)
        {
            problem = "its header is damaged (its sizes overflow)";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>
    /// Why <paramref name="labels"/> cannot index <paramref name="classCount"/> classes, or null. A label outside them
    /// reached the loss from a forged entry whose checksum was recomputed (issue 18 item 20).
    /// </summary>
    private static string? LabelsOutside(Tensor labels, int classCount)
    {
        if (labels.shape[0] == 0)
        {
            return null;
        }

        var (lowest, highest) = (labels.min().item<long>(), labels.max().item<long>());
        return lowest >= 0 && highest < classCount ? null
            : string.Create(CultureInfo.InvariantCulture, $"it has labels outside the {classCount} classes it names (from {lowest} to {highest}; valid: {(classCount == 0 ? "none" : $"0 to {classCount - 1}")}), so it is forged or damaged");
    }

    /// <summary>Why multi-label or regression targets cannot be used (not 0/1, not finite), or null.</summary>
    private static string? TargetsInvalid(Tensor targets, TaskKind task)
    {
        if (targets.numel() == 0)
        {
            return null;
        }

        if (task == TaskKind.MultiLabel)
        {
            return targets.eq(0).logical_or(targets.eq(1)).all().item<bool>() ? null : "its multi-label targets are not all 0 or 1, so it is forged or damaged";
        }

        return targets.isfinite().all().item<bool>() ? null : "its regression targets are not all finite numbers, so it is forged or damaged";
    }

    // Task was added after version 2 was written: absent, it is classification, so earlier entries stay readable.
    private sealed record Header(int Count, long[] Shape, string[] Classes, int Skipped, TaskKind Task = TaskKind.Classification);
}
