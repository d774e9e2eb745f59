using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelGen.Weights;

/// <summary>
/// Reads a PyTorch state dict file (a zip, as <c>torch.save</c> writes since PyTorch 1.6): the pickle through
/// <see cref="StateDictPickle"/>, which runs nothing, then each storage, whose size must be what the pickle
/// declared. Nothing is allocated before the pickle has been read and every tensor checked against its storage.
/// </summary>
internal static class PyTorchArchive
{
    /// <summary>The largest pickle read (a state dict's pickle holds names and shapes: kilobytes).</summary>
    private const long MaxPickleBytes = 64L << 20;

    /// <summary>Reads every tensor of the file at <paramref name="path"/>. The caller disposes them.</summary>
    /// <exception cref="WeightsException">The file is not such a zip, or its pickle or storages are damaged, forged or not a state dict.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        CheckZipBounds(archive, path);
        var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
        if (pickles.Count != 1)
        {
            throw new WeightsException($"The weights file {path} is a zip but not a PyTorch file: it has {pickles.Count} '<folder>/data.pkl' entries where torch.save writes one.");
        }

        var pickle = pickles[0];
        var prefix = pickle.FullName[..^"data.pkl".Length];
        if (archive.GetEntry(prefix + "byteorder") is { } order && ReadAll(order, path, 16) is var text && System.Text.Encoding.ASCII.GetString(text).Trim() != "little")
        {
            throw new WeightsException($"The weights file {path} was saved on a big-endian machine; ModelGen reads little-endian files. Re-save it on a little-endian machine.");
        }

        var where = $"The weights file {path} ({pickle.FullName})";
        var root = StateDictPickle.Load(ReadAll(pickle, path, MaxPickleBytes), where);
        var references = StateDict(root, path);
        return Materialize(references, storage => ReadStorage(archive, prefix, storage, path), path);
    }

    /// <summary>The state dict a pickle describes: a dict from names to tensors, and nothing else.</summary>
    /// <exception cref="WeightsException">It is anything else (a whole model, a checkpoint, no tensors, a name twice).</exception>
    internal static List<(string Name, StateDictPickle.TensorReference Tensor)> StateDict(object? root, string path)
    {
        if (root is not StateDictPickle.Dict dict)
        {
            throw new WeightsException($"The weights file {path} holds a {Describe(root)}, not a state dict (a dict of tensors by name); save it with torch.save(model.state_dict(), path).");
        }

        var tensors = new List<(string, StateDictPickle.TensorReference)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in dict)
        {
            if (key is not string name)
            {
                throw new WeightsException($"The weights file {path} has a key that is a {Describe(key)}; a state dict's keys are tensor names.");
            }

            if (value is StateDictPickle.Dict inner)
            {
                throw new WeightsException(
                    $"The weights file {path} holds a dict whose entry '{name}' is itself a dict ({inner.Count} entries), as a training checkpoint does, not a state dict. "
                    + $"Save the model's state dict alone: torch.save(model.state_dict(), path) (or torch.save(checkpoint['{name}'], path)).");
            }

            if (value is not StateDictPickle.TensorReference tensor)
            {
                throw new WeightsException($"The weights file {path} has the entry '{name}' holding a {Describe(value)}, not a tensor; save the state dict alone: torch.save(model.state_dict(), path).");
            }

            if (!names.Add(name))
            {
                throw new WeightsException($"The weights file {path} holds the tensor '{name}' twice; the file is damaged.");
            }

            tensors.Add((name, tensor));
        }

        if (tensors.Count == 0)
        {
            throw new WeightsException($"The weights file {path} holds no tensors; it should be a state dict (torch.save(model.state_dict(), path)), not a whole pickled model.");
        }

        return tensors;
    }

    /// <summary>
    /// The tensors of the state dict, each a contiguous copy of its view of a storage; <paramref name="read"/>
    /// gives each storage once (it is disposed here after use).
    /// </summary>
    internal static Dictionary<string, Tensor> Materialize(List<(string Name, StateDictPickle.TensorReference Tensor)> references, Func<StateDictPickle.StorageReference, Tensor> read, string path)
    {
        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, reference) in references)
            {
                var storage = reference.Storage;
                if (!storages.TryGetValue(storage.Key, out var data))
                {
                    data = read(storage);
                    storages[storage.Key] = data;
                }
                else if (data.dtype != storage.Type || data.numel() != storage.Elements)
                {
                    throw new WeightsException($"The weights file {path} describes the storage '{storage.Key}' twice, with different types or sizes; the file is damaged.");
                }

                using var view = data.as_strided(reference.Shape, reference.Stride, reference.Offset);
                result[name] = view.contiguous();
            }

            return result;
        }
        catch
        {
            foreach (var tensor in result.Values)
            {
                tensor.Dispose();
            }

            throw;
        }
        finally
        {
            foreach (var storage in storages.Values)
            {
                storage.Dispose();
            }
        }
    }

    private static Tensor ReadStorage(ZipArchive archive, string prefix, StateDictPickle.StorageReference storage, string path)
    {
        var entry = archive.GetEntry($"{prefix}data/{storage.Key}")
            ?? throw new WeightsException($"The weights file {path} refers to the storage '{storage.Key}', which is not in the archive ({prefix}data/{storage.Key}); the file is damaged.");
        var bytes = storage.Elements > long.MaxValue / storage.ElementSize ? long.MaxValue : storage.Elements * storage.ElementSize;
        if (entry.Length != bytes)
        {
            throw new WeightsException(
                $"The weights file {path} declares {storage.Elements:N0} {storage.Type} values for the storage '{storage.Key}' ({bytes:N0} bytes), but the archive holds {entry.Length:N0} bytes for it; the file is damaged.");
        }

        var tensor = empty(storage.Elements, storage.Type);
        try
        {
            using var stream = entry.Open();
            stream.ReadExactly(tensor.bytes);
            return tensor;
        }
        catch (EndOfStreamException e)
        {
            tensor.Dispose();
            throw new WeightsException($"The weights file {path} ends inside the storage '{storage.Key}'; the file is truncated.", e);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static byte[] ReadAll(ZipArchiveEntry entry, string path, long limit)
    {
        if (entry.Length > limit)
        {
            throw new WeightsException($"The weights file {path} has a {entry.Length:N0}-byte {entry.FullName}, more than the {limit:N0} a state dict needs; refusing to read it.");
        }

        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// A PyTorch file is a zip of mostly uncompressed tensor data: the contents it declares may not be much
    /// larger than the file, so a hostile archive (a zip bomb) cannot make the reader allocate gigabytes.
    /// </summary>
    private static void CheckZipBounds(ZipArchive archive, string path)
    {
        var length = new FileInfo(path).Length;
        var limit = (4 * length) + (1 << 20);
        long total = 0;
        foreach (var entry in archive.Entries)
        {
            total += entry.Length;
            if (entry.Length < 0 || total > limit)
            {
                throw new WeightsException($"The weights file {path} declares more than {limit:N0} bytes of content in a {length:N0}-byte file (at entry '{entry.FullName}'); refusing to read it.");
            }
        }
    }

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        string => "string",
        long => "int",
        double => "float",
        bool => "bool",
        object?[] => "tuple",
        List<object?> => "list",
        StateDictPickle.Dict => "dict",
        StateDictPickle.TensorReference => "tensor",
        _ => value.GetType().Name,
    };
}
