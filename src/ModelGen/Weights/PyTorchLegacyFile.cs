using System.Buffers.Binary;
using static TorchSharp.torch;

namespace ModelGen.Weights;

/// <summary>
/// Reads a state dict saved in PyTorch's format before 1.6 (and by <c>torch.save(...,
/// _use_new_zipfile_serialization=False)</c>), which older torchvision files such as <c>vgg16-397923af.pth</c>
/// use: five pickles one after another (a magic number, the protocol version 1001, the machine's byte order and
/// type sizes, the state dict, the list of storage keys), then each storage as its element count (8 bytes,
/// little-endian) and its raw values. The pickles go through <see cref="StateDictPickle"/>, which runs nothing;
/// every storage's size is checked against the pickle and against what is left of the file before anything
/// is allocated.
/// </summary>
internal static class PyTorchLegacyFile
{
    /// <summary>The pickles' share of the file is read at once; a state dict's pickles hold names and shapes (kilobytes).</summary>
    private const int MaxPickleBytes = 64 << 20;

    /// <summary>How torch.save starts such a file: pickle protocol 2, the 10-byte integer 0x1950a86a20f9469cfc6c, STOP.</summary>
    private static readonly byte[] Magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    /// <summary>Whether the file starts as this format does.</summary>
    public static bool IsLegacy(ReadOnlySpan<byte> start) => start.StartsWith(Magic);

    /// <summary>Reads every tensor of the file at <paramref name="path"/>. The caller disposes them.</summary>
    /// <exception cref="WeightsException">The file is not in this format, or its pickles or storages are damaged, forged or not a state dict.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var head = new byte[(int)Math.Min(stream.Length, MaxPickleBytes)];
        stream.ReadExactly(head);
        if (!IsLegacy(head))
        {
            throw new WeightsException($"The weights file {path} is neither a PyTorch zip archive nor PyTorch's older format (it does not start with its magic number); re-save it with torch.save(model.state_dict(), path).");
        }

        var where = $"The weights file {path} (PyTorch's format before 1.6)";
        var position = Magic.Length;
        if (StateDictPickle.Load(head, position, where, out position) is not 1001L)
        {
            throw new WeightsException($"{where} has a protocol version other than 1001, the only one torch.save wrote in this format; the file is damaged.");
        }

        var system = StateDictPickle.Load(head, position, where, out position) as StateDictPickle.Dict;
        if (system?.FirstOrDefault(pair => pair.Key is "little_endian").Value is not true)
        {
            throw new WeightsException($"{where} was saved on a big-endian machine (or does not say); ModelGen reads little-endian files. Re-save it on a little-endian machine.");
        }

        var references = PyTorchArchive.StateDict(StateDictPickle.Load(head, position, where, out position), path);
        if (StateDictPickle.Load(head, position, where, out position) is not List<object?> keys || keys.Any(key => key is not string))
        {
            throw new WeightsException($"{where} does not list its storages after the state dict; the file is damaged.");
        }

        var declared = new Dictionary<string, StateDictPickle.StorageReference>(StringComparer.Ordinal);
        foreach (var (_, tensor) in references)
        {
            declared.TryAdd(tensor.Storage.Key, tensor.Storage);
        }

        var order = keys.Cast<string>().ToList();
        var missing = declared.Keys.Except(order, StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || order.Distinct(StringComparer.Ordinal).Count() != order.Count)
        {
            throw new WeightsException($"{where} lists its storages as [{string.Join(", ", order.Take(8))}{(order.Count > 8 ? ", ..." : "")}], which does not match the storages its tensors use{(missing.Count > 0 ? $" (missing '{missing[0]}')" : "")}; the file is damaged.");
        }

        if (order.FirstOrDefault(key => !declared.ContainsKey(key)) is { } unused)
        {
            throw new WeightsException($"{where} lists a storage no tensor uses ('{unused}'); torch.save writes only the storages it needs, so the file is damaged.");
        }

        // Every byte of the rest of the file is accounted for before anything is allocated.
        var expected = order.Aggregate(0L, (sum, key) => checked(sum + 8 + (declared[key].Elements * declared[key].ElementSize)));

        var left = stream.Length - position;
        if (left != expected)
        {
            throw new WeightsException(
                $"{where} declares {expected:N0} bytes of storages after its pickles, but {left:N0} bytes follow; the file is {(left < expected ? "truncated" : "damaged (it has bytes no storage accounts for)")}.");
        }

        stream.Position = position;
        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            Span<byte> count = stackalloc byte[8];
            foreach (var key in order)
            {
                var storage = declared[key];
                stream.ReadExactly(count);
                var elements = BinaryPrimitives.ReadInt64LittleEndian(count);
                if (elements != storage.Elements)
                {
                    throw new WeightsException($"{where} declares {storage.Elements:N0} values for the storage '{key}' in its pickle, but {elements:N0} where the values are stored; the file is damaged.");
                }

                var tensor = empty(storage.Elements, storage.Type);
                storages[key] = tensor;
                stream.ReadExactly(tensor.bytes);
            }

            return PyTorchArchive.Materialize(references, storage => Take(storages, storage.Key), path);
        }
        finally
        {
            foreach (var tensor in storages.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static Tensor Take(Dictionary<string, Tensor> storages, string key)
    {
        var tensor = storages[key];
        storages.Remove(key);
        return tensor;
    }
}
