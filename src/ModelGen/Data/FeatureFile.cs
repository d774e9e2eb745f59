using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using ModelGen.Storage;
using static TorchSharp.torch;

namespace ModelGen.Data;

/// <summary>
/// The on-disk form of a <see cref="FeatureSet"/>: a magic tag, a JSON header (count, shape, classes,
/// skipped, SHA-256 of the payload), then float32 features and int64 labels. Reading checks the sizes
/// against the file before allocating and the checksum after, so a damaged file is never read as data.
/// </summary>
public static class FeatureFile
{
    private static readonly byte[] Magic = "MGFEAT01"u8.ToArray();

    /// <summary>Writes a feature set to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public static void Write(string path, FeatureSet set)
    {
        // Hashed and written straight from the tensors' memory: a managed copy of the features (65 MB for
        // 1,000 images of resnet18 at layer3) would raise the process's peak and linger until a full GC.
        using var features = set.Features.contiguous();
        using var labels = set.Labels.contiguous();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(features.bytes);
        sha.AppendData(labels.bytes);
        var header = new Header(set.Count, set.SampleShape, set.Classes.ToArray(), set.Skipped, Convert.ToHexString(sha.GetHashAndReset()));
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header);

        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, headerBytes.Length);
            stream.Write(length);
            stream.Write(headerBytes);
            stream.Write(features.bytes);
            stream.Write(labels.bytes);
        },
        durable: false); // a cache: TryRead checks the SHA-256, and a damaged entry is extracted again
    }

    /// <summary>Reads a feature set, or explains in <paramref name="problem"/> why the file cannot be used.</summary>
    public static FeatureSet? TryRead(string path, out string? problem)
    {
        problem = null;
        try
        {
            using var stream = File.OpenRead(path);
            Span<byte> prefix = stackalloc byte[12];
            if (stream.Read(prefix) != 12 || !prefix[..8].SequenceEqual(Magic))
            {
                problem = "not a ModelGen feature file";
                return null;
            }

            var headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix[8..]);
            if (headerLength <= 0 || headerLength > 1 << 20 || headerLength > stream.Length - 12)
            {
                problem = "its header is damaged";
                return null;
            }

            var headerBytes = new byte[headerLength];
            stream.ReadExactly(headerBytes);
            var header = JsonSerializer.Deserialize<Header>(headerBytes);
            if (header is null || header.Count < 0 || header.Shape is null || header.Classes is null || header.Sha256 is null || header.Shape.Any(d => d <= 0))
            {
                problem = "its header is damaged";
                return null;
            }

            var perSample = header.Shape.Aggregate(1L, (a, b) => checked(a * b));
            var featureBytes = checked(header.Count * perSample * sizeof(float));
            var labelBytes = checked(header.Count * (long)sizeof(long));
            if (stream.Length != 12 + headerLength + featureBytes + labelBytes)
            {
                problem = $"it is {stream.Length:N0} bytes but its header describes {12 + headerLength + featureBytes + labelBytes:N0} (truncated or damaged)";
                return null;
            }

            // Read straight into the tensors (sizes checked above); they are kept only if the checksum matches.
            using var scope = NewDisposeScope();
            var featureTensor = empty([header.Count, .. header.Shape], ScalarType.Float32);
            var labelTensor = empty([header.Count], ScalarType.Int64);
            stream.ReadExactly(featureTensor.bytes);
            stream.ReadExactly(labelTensor.bytes);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(featureTensor.bytes);
            sha.AppendData(labelTensor.bytes);
            if (!string.Equals(Convert.ToHexString(sha.GetHashAndReset()), header.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                problem = "its checksum does not match its content (damaged)";
                return null;
            }

            return new FeatureSet(featureTensor.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope(), header.Classes, header.Skipped);
        }
        catch (Exception e) when (e is IOException or JsonException or OverflowException or EndOfStreamException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return null;
        }
    }

    private sealed record Header(int Count, long[] Shape, string[] Classes, int Skipped, string Sha256);
}
