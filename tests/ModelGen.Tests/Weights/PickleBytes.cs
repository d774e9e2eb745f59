using System.IO.Compression;
using System.Text;

namespace ModelGen.Tests.Weights;

/// <summary>Writes pickles opcode by opcode (protocol 2, as torch.save does), to forge PyTorch files.</summary>
internal sealed class PickleBytes
{
    private readonly List<byte> _bytes = [0x80, 2];

    public PickleBytes Op(char opcode) => Raw((byte)opcode);

    public PickleBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public PickleBytes Str(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        return Raw((byte)'X').Raw(BitConverter.GetBytes(utf8.Length)).Raw(utf8);
    }

    public PickleBytes Int(int value) => Raw((byte)'J').Raw(BitConverter.GetBytes(value));

    public PickleBytes Global(string module, string name) => Raw((byte)'c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBytes Tuple(params int[] values)
    {
        Op('(');
        foreach (var value in values)
        {
            Int(value);
        }

        return Op('t');
    }

    /// <summary>The persistent id of a float storage of <paramref name="elements"/> values under data/<paramref name="key"/>.</summary>
    public PickleBytes Storage(string key, int elements, string type = "FloatStorage") =>
        Op('(').Str("storage").Global("torch", type).Str(key).Str("cpu").Int(elements).Op('t').Op('Q');

    /// <summary>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).</summary>
    public PickleBytes Tensor(string key, int elements, int offset, int[] size, int[] stride, string type = "FloatStorage") =>
        Global("torch._utils", "_rebuild_tensor_v2").Op('(').Storage(key, elements, type).Int(offset).Tuple(size).Tuple(stride)
            .Raw(0x89).Global("collections", "OrderedDict").Op(')').Op('R').Op('t').Op('R');

    /// <summary>A state dict of one tensor named <paramref name="name"/>, its value written by <paramref name="tensor"/>.</summary>
    public static PickleBytes StateDict(string name, Action<PickleBytes> tensor)
    {
        var pickle = new PickleBytes().Op('}').Str(name);
        tensor(pickle);
        return pickle.Op('s').Op('.');
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A PyTorch zip with this pickle and the given storages (key → bytes).</summary>
    public void WriteArchive(string path, params (string Key, byte[] Bytes)[] storages) => WriteArchive(path, ToArray(), storages);

    public static void WriteArchive(string path, byte[] pickle, params (string Key, byte[] Bytes)[] storages)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        Write(archive, "archive/data.pkl", pickle);
        Write(archive, "archive/byteorder", "little"u8.ToArray());
        foreach (var (key, bytes) in storages)
        {
            Write(archive, "archive/data/" + key, bytes);
        }
    }

    private static void Write(ZipArchive archive, string name, byte[] bytes)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(bytes);
    }
}
