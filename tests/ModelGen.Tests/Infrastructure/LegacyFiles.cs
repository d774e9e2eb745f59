using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using ModelGen.Data;
using ModelGen.Training;
using static TorchSharp.torch;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Writers of the layouts ModelGen used before its files shared one container, copied from the code that
/// wrote them, so that tests read real files of an older ModelGen.
/// </summary>
internal static class LegacyFiles
{
    /// <summary>ModelFile before the container: "MGMODEL1", int64 header length, JSON header, state dict, SHA-256.</summary>
    public static void WriteModel(string path, nn.Module model, string modelName, string fingerprint, IReadOnlyList<string> classes)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new { Model = modelName, Fingerprint = fingerprint, Classes = classes.ToArray(), Version = "0.1.0.0" });
        using var state = new MemoryStream();
        model.save(state);
        var length = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, header.Length);
        WriteHashed(path, ["MGMODEL1"u8.ToArray(), length, header, state.ToArray()]);
    }

    /// <summary>FeatureFile before the container: "MGFEAT01", int32 header length, JSON header with the payload's SHA-256, features, labels.</summary>
    public static void WriteFeatures(string path, FeatureSet set)
    {
        using var features = set.Features.contiguous();
        using var labels = set.Labels.contiguous();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(features.bytes);
        sha.AppendData(labels.bytes);
        var header = JsonSerializer.SerializeToUtf8Bytes(new { set.Count, Shape = set.SampleShape, Classes = set.Classes.ToArray(), set.Skipped, Sha256 = Convert.ToHexString(sha.GetHashAndReset()) });
        using var stream = File.Create(path);
        stream.Write("MGFEAT01"u8);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(features.bytes);
        stream.Write(labels.bytes);
    }

    /// <summary>CheckpointFile before the container: "MGCKPT01", then header, model and optimizer each after an int64 length, SHA-256.</summary>
    public static void WriteCheckpoint(string path, CheckpointState state, byte[] model, byte[] optimizer)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(state, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        List<byte[]> parts = ["MGCKPT01"u8.ToArray()];
        foreach (var part in new[] { header, model, optimizer })
        {
            var length = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, part.Length);
            parts.Add(length);
            parts.Add(part);
        }

        WriteHashed(path, parts);
    }

    /// <summary>The early-stopping best weights before the container: the bare state dict, no checksum.</summary>
    public static void WriteBest(string path, nn.Module model)
    {
        using var state = new MemoryStream();
        model.save(state);
        File.WriteAllBytes(path, state.ToArray());
    }

    private static void WriteHashed(string path, IEnumerable<byte[]> parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stream = File.Create(path);
        foreach (var part in parts)
        {
            stream.Write(part);
            sha.AppendData(part);
        }

        stream.Write(sha.GetHashAndReset());
    }
}
