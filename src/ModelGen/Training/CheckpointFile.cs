using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using ModelGen.Storage;

namespace ModelGen.Training;

/// <summary>What a checkpoint records besides the weights: where training was and what it had seen.</summary>
/// <param name="Model">The generated class's name.</param>
/// <param name="Sequence">The checkpoint's number in its run (one per epoch, across phases).</param>
/// <param name="Phase">The phase being trained.</param>
/// <param name="EpochsDone">Epochs of that phase completed.</param>
/// <param name="PhasesDone">Phases finished (all epochs run, or stopped early).</param>
/// <param name="History">Every epoch so far.</param>
/// <param name="BestValue">Early stopping: the best monitored value of the phase so far.</param>
/// <param name="BestEpoch">Early stopping: the epoch (from 1) that had it.</param>
/// <param name="Wait">Early stopping: epochs since the best one.</param>
public sealed record CheckpointState(
    string Model,
    int Sequence,
    string Phase,
    int EpochsDone,
    string[] PhasesDone,
    EpochResult[] History,
    double? BestValue,
    int BestEpoch,
    int Wait);

/// <summary>
/// A checkpoint on disk: a magic tag, a JSON <see cref="CheckpointState"/>, the model's state dict, the
/// optimizer's state, and a SHA-256 of all of it. Written atomically; a file whose checksum does not
/// match (a half-written or damaged file) is never loaded.
/// </summary>
public static class CheckpointFile
{
    private static readonly byte[] Magic = "MGCKPT01"u8.ToArray();

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Write(string path, CheckpointState state, byte[] model, byte[] optimizer)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(state, TrainingHistory.JsonOptions);
        AtomicFile.Write(path, stream =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Put(ReadOnlySpan<byte> bytes)
            {
                stream.Write(bytes);
                sha.AppendData(bytes);
            }

            Span<byte> length = stackalloc byte[8];
            Put(Magic);
            BinaryPrimitives.WriteInt64LittleEndian(length, header.Length);
            Put(length);
            Put(header);
            BinaryPrimitives.WriteInt64LittleEndian(length, model.Length);
            Put(length);
            Put(model);
            BinaryPrimitives.WriteInt64LittleEndian(length, optimizer.Length);
            Put(length);
            Put(optimizer);
            stream.Write(sha.GetHashAndReset());
        });
    }

    /// <summary>Reads a checkpoint, or null when it is not a whole, undamaged checkpoint.</summary>
    public static (CheckpointState State, byte[] Model, byte[] Optimizer)? TryRead(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < Magic.Length + 24 + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                return null;
            }

            var body = bytes.AsSpan(0, bytes.Length - 32);
            if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            {
                return null;
            }

            var position = Magic.Length;
            var header = Next(bytes, ref position);
            var model = Next(bytes, ref position);
            var optimizer = Next(bytes, ref position);
            var state = JsonSerializer.Deserialize<CheckpointState>(header, TrainingHistory.JsonOptions);
            return state is null ? null : (state, model, optimizer);
        }
        catch (Exception e) when (e is IOException or JsonException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte[] Next(byte[] bytes, ref int position)
    {
        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position, 8));
        position += 8;
        if (length < 0 || length > bytes.Length - 32 - position)
        {
            throw new ArgumentException("a section length is out of range");
        }

        var section = bytes.AsSpan(position, (int)length).ToArray();
        position += (int)length;
        return section;
    }
}
