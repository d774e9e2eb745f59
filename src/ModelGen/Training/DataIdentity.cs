using System.Globalization;
using System.Security.Cryptography;
using ModelGen.Data;
using TorchSharp;

namespace ModelGen.Training;

/// <summary>
/// What a run trains on, in words, for its <see cref="RunIdentity"/>: a checkpoint resumes only on the same
/// data. Image folders are named by their full path, image count and classes (reading every image to hash
/// it would cost a pass over the data); feature sets by their size, sample shape, classes and a hash of
/// their features and labels, which they hold in memory anyway.
/// </summary>
internal static class DataIdentity
{
    /// <summary>
    /// The training images, the validation images (a folder, or those held out of the training folder, with a hash of
    /// their names: a checkpoint resumes only on the same split, so not across a change of the split's rule), and the classes.
    /// </summary>
    public static string Of(TrainingData data)
    {
        var validation = data.Validation switch
        {
            null => "no validation images",
            { } held when Source(held) == Source(data.Train) => $"{held.Count} of them held out for validation (names {NamesDigest(held)})",
            { } folder => $"validation images {Source(folder)}: {folder.Count}",
        };
        return string.Create(CultureInfo.InvariantCulture, $"images {Source(data.Train)}: {data.Train.Count} for training, {validation}; classes {string.Join(", ", data.Classes)}");
    }

    // A folder by its path; a manifest by its own path, since the training and validation manifests may share a folder.
    private static string Source(ImageFolder images) => images.Manifest ?? images.Directory;

    /// <summary>The training features, the validation features if any, and the classes.</summary>
    public static string Of(FeatureSet train, FeatureSet? validation) =>
        $"features {Describe(train)}; validation {(validation is null ? "none" : Describe(validation))}; classes {string.Join(", ", train.Classes)}";

    // The first 8 bytes of SHA-256 over the images' paths relative to their folder, sorted (ordinal), one a line.
    private static string NamesDigest(ImageFolder images)
    {
        var names = images.Samples.Select(s => Path.GetRelativePath(images.Directory, s.Path).Replace('\\', '/')).Order(StringComparer.Ordinal);
        var digest = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', names)));
        return Convert.ToHexStringLower(digest.AsSpan(0, 8));
    }

    private static string Describe(FeatureSet set)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var scope = torch.NewDisposeScope())
        {
            hash.AppendData(set.Features.cpu().contiguous().bytes);
            hash.AppendData(set.Labels.cpu().contiguous().bytes);
        }

        var digest = Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 8));
        var shape = string.Join(", ", set.SampleShape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        return string.Create(CultureInfo.InvariantCulture, $"{set.Count} samples of [{shape}], content {digest}");
    }
}
