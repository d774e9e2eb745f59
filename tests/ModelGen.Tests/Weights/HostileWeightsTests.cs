using System.IO.Compression;
using System.Text;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ModelGen.Tests.Weights;

/// <summary>
/// Forged, damaged and mistaken weights files: every one gives a <see cref="WeightsException"/> that says what
/// is wrong and where (never a raw NotImplemented, libtorch or index error), and real PyTorch layouts still load.
/// </summary>
public sealed class HostileWeightsTests : IDisposable
{
    private static readonly string Fixtures = WeightsFixtures.Folder;
    private readonly TempFolder _temp = new();

    [Fact]
    public void TorchSaveStateDict_LoadsWithItsViewsOfOneStorage()
    {
        var tensors = StateDictReader.Read(Path.Combine(Fixtures, "state-dict.pth"));
        try
        {
            Assert.Equal(["conv.bias", "conv.weight", "view.weight"], tensors.Keys.Order());
            Assert.Equal([2L, 3, 2, 2], tensors["conv.weight"].shape);
            Assert.Equal(23f, tensors["conv.weight"][1, 2, 1, 1].item<float>());
            Assert.Equal([0.5f, -0.5f], tensors["conv.bias"].data<float>().ToArray());

            // view.weight reads the same storage from element 12 with strides (1, 4): [i, j] is 12 + i + 4j.
            Assert.Equal([4L, 3], tensors["view.weight"].shape);
            Assert.Equal(21f, tensors["view.weight"][1, 2].item<float>());
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public void WholePickledModel_IsRefusedWithTheLineThatSavesItsStateDict()
    {
        var path = Path.Combine(Fixtures, "whole-model.pth");

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("whole pickled model", error.Message);
        Assert.Contains("__main__.Net", error.Message);
        Assert.Contains("torch.save(model.state_dict(), path)", error.Message);
    }

    [Fact]
    public void TrainingCheckpoint_IsRefusedNamingTheEntryToSave()
    {
        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(Path.Combine(Fixtures, "checkpoint.pth")));

        Assert.Contains("entry 'model' is itself a dict", error.Message);
        Assert.Contains("torch.save(checkpoint['model'], path)", error.Message);
    }

    [Theory]
    [InlineData("U32")]
    [InlineData("U16")]
    [InlineData("U64")]
    [InlineData("F8_E4M3")]
    [InlineData("C64")]
    public void SafetensorsDtypeModelGenDoesNotRead_IsNamedWithTheSupportedOnes(string dtype)
    {
        var path = WriteSafetensors("unsupported", "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains($"'w' in {path} has dtype {dtype}", error.Message);
        Assert.Contains("F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL", error.Message);
    }

    public static TheoryData<string> ForgedHeaders => new(ForgedSafetensors.Keys);

    private static readonly Dictionary<string, (string Header, string Expected)> ForgedSafetensors = new()
    {
        ["negative sizes that multiply to the right count"] = ("""{"w":{"dtype":"F32","shape":[-1,-2],"data_offsets":[0,8]}}""", "non-negative integers"),
        ["a shape that is not an array"] = ("""{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}""", "a shape array"),
        ["no data_offsets"] = ("""{"w":{"dtype":"F32","shape":[2]}}""", "data_offsets array"),
        ["a header that is a list"] = ("""[1,2,3]""", "JSON Array"),
        ["a tensor listed twice"] = ("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "twice"),
        ["offsets past the data"] = ("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", "does not fit its place"),
        ["a size that overflows"] = ("""{"w":{"dtype":"F32","shape":[9223372036854775807,4],"data_offsets":[0,8]}}""", "does not fit its place"),
        ["a dtype that is a number"] = ("""{"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}""", "dtype string"),
    };

    [Theory]
    [MemberData(nameof(ForgedHeaders))]
    public void ForgedSafetensorsHeader_IsRefusedNamingTheTensor(string name)
    {
        var (header, expected) = ForgedSafetensors[name];
        var path = WriteSafetensors("forged", header, new byte[8]);

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    public static TheoryData<string> ForgedPickles => new(ForgedPickleCases.Keys);

    private static readonly Dictionary<string, (Func<byte[]> Pickle, (string, byte[])[] Storages, string Expected)> ForgedPickleCases = new()
    {
        ["a GLOBAL to os.system"] = (() => new PickleBytes().Global("os", "system").Str("echo pwned").Op('\u0085').Op('R').Op('.').ToArray(), [], "the Python global os.system"),
        ["a GLOBAL to builtins.eval"] = (() => new PickleBytes().Global("builtins", "eval").ToArray(), [], "builtins.eval"),
        ["a STACK_GLOBAL to subprocess.Popen"] = (() => new PickleBytes().Str("subprocess").Str("Popen").Raw(0x93).ToArray(), [], "subprocess.Popen"),
        ["a GLOBAL to a torch.nn class"] = (() => new PickleBytes().Global("torch.nn.modules.linear", "Linear").ToArray(), [], "whole pickled model"),
        ["a storage type ModelGen does not read"] = (() => PickleBytes.StateDict("w", p => p.Tensor("0", 2, 0, [2], [1], "ComplexFloatStorage")).ToArray(), [("0", new byte[16])], "torch.ComplexFloatStorage; ModelGen reads FloatStorage"),
        ["a tensor larger than its storage"] = (() => PickleBytes.StateDict("w", p => p.Tensor("0", 4, 0, [100_000, 100_000], [100_000, 1])).ToArray(), [("0", new byte[16])], "reading element 9,999,999,999 of a storage of 4"),
        ["a tensor past the end of its storage"] = (() => PickleBytes.StateDict("w", p => p.Tensor("0", 4, 3, [2], [1])).ToArray(), [("0", new byte[16])], "reading element 4 of a storage of 4"),
        ["a negative stride"] = (() => PickleBytes.StateDict("w", p => p.Tensor("0", 4, 3, [4], [-1])).ToArray(), [("0", new byte[16])], "must be non-negative"),
        ["strides that overflow"] = (() => PickleBytes.StateDict("w", p => p.Tensor("0", 4, 0, [2, 2], [int.MaxValue, int.MaxValue])).ToArray(), [("0", new byte[16])], "reading element"),
        ["a storage that declares more than the archive holds"] = (() => PickleBytes.StateDict("w", p => p.Tensor("0", 1_000_000_000, 0, [4], [1])).ToArray(), [("0", new byte[16])], "declares 1,000,000,000 Float32 values"),
        ["a storage missing from the archive"] = (() => PickleBytes.StateDict("w", p => p.Tensor("7", 4, 0, [4], [1])).ToArray(), [("0", new byte[16])], "storage '7', which is not in the archive"),
        ["an opcode torch never writes"] = (() => new PickleBytes().Raw(0xff).ToArray(), [], "the pickle opcode 0xff"),
        ["an INST opcode"] = (() => new PickleBytes().Op('i').ToArray(), [], "the pickle opcode 0x69"),
        ["a memo entry never stored"] = (() => new PickleBytes().Raw((byte)'h', 9).Op('.').ToArray(), [], "memo entry 9"),
        ["a call with an empty stack"] = (() => new PickleBytes().Op('R').ToArray(), [], "the stack has none"),
        ["SETITEMS without a MARK"] = (() => new PickleBytes().Op('}').Op('u').ToArray(), [], "needs a MARK"),
        ["a string longer than the pickle"] = (() => new PickleBytes().Raw((byte)'X').Raw(BitConverter.GetBytes(int.MaxValue)).ToArray(), [], "a string of 2,147,483,647 bytes"),
        ["a pickle that ends without STOP"] = (() => new PickleBytes().Op('}').ToArray(), [], "is truncated"),
        ["a list instead of a dict"] = (() => new PickleBytes().Op(']').Op('.').ToArray(), [], "holds a list, not a state dict"),
        ["a value that is not a tensor"] = (() => new PickleBytes().Op('}').Str("epoch").Int(3).Op('s').Op('.').ToArray(), [], "entry 'epoch' holding a int"),
        ["a key that is not a name"] = (() => new PickleBytes().Op('}').Int(1).Int(3).Op('s').Op('.').ToArray(), [], "a key that is a int"),
        ["an empty dict"] = (() => new PickleBytes().Op('}').Op('.').ToArray(), [], "holds no tensors"),
    };

    [Theory]
    [MemberData(nameof(ForgedPickles))]
    public void ForgedPickle_IsRefusedSayingWhatAndWhere(string name)
    {
        var (pickle, storages, expected) = ForgedPickleCases[name];
        var path = Path.Combine(_temp.Path, "forged.pth");
        PickleBytes.WriteArchive(path, pickle(), storages);

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void UnknownTypeCodeInADatFile_IsRefused()
    {
        var path = Path.Combine(_temp.Path, "forged.dat");
        using (var writer = new BinaryWriter(File.Create(path)))
        {
            writer.Write((byte)1); // one tensor
            writer.Write("w");
            writer.Write((byte)99); // no such ScalarType
            writer.Write((byte)1);
            writer.Write((byte)2);
            writer.Write(new byte[8]);
        }

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains("type code 99", error.Message);
    }

    /// <summary>
    /// A deterministic corpus of damaged files in every format: truncations, byte corruptions anywhere, and
    /// (for PyTorch files) corruptions of the pickle inside an intact zip. Each either loads or gives a
    /// <see cref="WeightsException"/> naming the file.
    /// </summary>
    [Fact]
    public void FuzzedFiles_LoadOrGiveAWeightsException()
    {
        var sources = new Dictionary<string, byte[]>
        {
            ["torch.pth"] = File.ReadAllBytes(Path.Combine(Fixtures, "state-dict.pth")),
            ["pybridge.pth"] = Saved(".pth"),
            ["file.safetensors"] = Saved(".safetensors"),
            ["file.dat"] = Saved(".dat"),
        };
        var random = new Random(18);
        var escaped = new List<string>();
        var cases = 0;
        foreach (var (name, bytes) in sources)
        {
            var extension = Path.GetExtension(name);
            var variants = new List<(string, byte[])>();
            for (var i = 1; i < 40; i++)
            {
                variants.Add(($"truncated to {bytes.Length * i / 40}", bytes[..(bytes.Length * i / 40)]));
            }

            for (var i = 0; i < 150; i++)
            {
                var copy = bytes.ToArray();
                var at = random.Next(copy.Length);
                copy[at] ^= (byte)random.Next(1, 256);
                variants.Add(($"byte {at} corrupted", copy));
            }

            if (extension == ".pth")
            {
                var pickle = Entry(bytes, "data.pkl");
                for (var i = 0; i < 150; i++)
                {
                    var copy = pickle.ToArray();
                    var at = random.Next(copy.Length);
                    copy[at] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)(copy[at] ^ (1 << random.Next(8)));
                    variants.Add(($"pickle byte {at} corrupted", ReplaceEntry(bytes, "data.pkl", copy)));
                }
            }

            foreach (var (what, variant) in variants)
            {
                cases++;
                var path = Path.Combine(_temp.Path, "fuzzed" + extension);
                File.WriteAllBytes(path, variant);
                try
                {
                    foreach (var tensor in StateDictReader.Read(path).Values)
                    {
                        tensor.Dispose();
                    }
                }
                catch (WeightsException e) when (e.Message.Contains(path, StringComparison.Ordinal))
                {
                }
                catch (Exception e)
                {
                    escaped.Add($"{name}, {what}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        Assert.True(cases > 1000);
        Assert.True(escaped.Count == 0, $"{escaped.Count} damaged files escaped WeightsException:\n{string.Join("\n", escaped.Take(20))}");
    }

    public void Dispose() => _temp.Dispose();

    private string WriteSafetensors(string name, string header, byte[] data)
    {
        var path = Path.Combine(_temp.Path, name + ".safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. data]);
        return path;
    }

    private byte[] Saved(string extension)
    {
        manual_seed(18);
        using var module = nn.Sequential(("conv", nn.Conv2d(2, 3, 3)), ("norm", nn.BatchNorm2d(3)));
        var path = Path.Combine(_temp.Path, "source" + extension);
        switch (extension)
        {
            case ".pth":
                module.save_py(path);
                break;
            case ".safetensors":
                module.save_safetensors(path);
                break;
            default:
                module.save(path);
                break;
        }

        return File.ReadAllBytes(path);
    }

    private static byte[] Entry(byte[] zip, string suffix)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var stream = archive.Entries.Single(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal)).Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static byte[] ReplaceEntry(byte[] zip, string suffix, byte[] content)
    {
        using var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var write = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                if (entry.FullName.EndsWith(suffix, StringComparison.Ordinal))
                {
                    write.Write(content);
                }
                else
                {
                    using var read = entry.Open();
                    read.CopyTo(write);
                }
            }
        }

        return output.ToArray();
    }
}
