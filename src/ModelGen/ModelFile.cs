using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using ModelGen.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen;

/// <summary>
/// A trained model on disk: a magic tag, a JSON header (model class, fingerprint of its shape, classes,
/// ModelGen version), the state dict, and a SHA-256 of everything. Written atomically.
/// </summary>
public static class ModelFile
{
    private static readonly byte[] Magic = "MGMODEL1"u8.ToArray();

    /// <summary>Saves <paramref name="model"/> with its class names.</summary>
    public static void Save(nn.Module model, string path, string modelName, string fingerprint, IReadOnlyList<string> classes)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(modelName, fingerprint, classes.ToArray(), typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "0"));
        using var state = new MemoryStream();
        model.save(state);
        var stateBytes = state.ToArray();
        AtomicFile.Write(path, stream =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(length, header.Length);
            foreach (var part in new[] { Magic, length.ToArray(), header, stateBytes })
            {
                stream.Write(part);
                sha.AppendData(part);
            }

            stream.Write(sha.GetHashAndReset());
        });
    }

    /// <summary>Loads the state saved by <see cref="Save"/> into <paramref name="model"/> and returns the class names.</summary>
    /// <exception cref="ModelFileException">The file is missing, damaged, or saved by another model.</exception>
    public static IReadOnlyList<string> Load(nn.Module model, string path, string modelName, string fingerprint)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileException($"The model file {path} does not exist.");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 8 + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ModelFileException($"{path} is not a ModelGen model file (saved with the generated Save method).");
        }

        if (!SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw new ModelFileException($"The model file {path} is damaged or truncated (its checksum does not match).");
        }

        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(Magic.Length, 8));
        var headerStart = Magic.Length + 8;
        if (headerLength <= 0 || headerLength > bytes.Length - headerStart - 32)
        {
            throw new ModelFileException($"The model file {path} has a damaged header.");
        }

        var header = JsonSerializer.Deserialize<Header>(bytes.AsSpan(headerStart, (int)headerLength))
            ?? throw new ModelFileException($"The model file {path} has a damaged header.");
        if (header.Model != modelName || header.Fingerprint != fingerprint)
        {
            throw new ModelFileException(
                $"The model file {path} was saved by {header.Model} (shape {header.Fingerprint}), not by this {modelName} (shape {fingerprint}): "
                + "the architecture, cut, input size or head differ. Load it with the model class that saved it.");
        }

        var stateStart = headerStart + (int)headerLength;
        using var state = new MemoryStream(bytes, stateStart, bytes.Length - 32 - stateStart);
        model.load(state);
        return header.Classes;
    }

    private sealed record Header(string Model, string Fingerprint, string[] Classes, string Version);
}
