using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;
using static TorchSharp.torch;

namespace ModelGen.Tests.Weights;

/// <summary>
/// PyTorch's format before 1.6 (issue 12 item 3), which older torchvision weights use: fixtures written by
/// Debian's PyTorch 1.13 (Fixtures/make_legacy_fixtures.py) read to the same tensors as the zip format, and a
/// damaged file is refused before anything is allocated.
/// </summary>
public sealed class LegacyFormatTests : IDisposable
{
    private static readonly string Fixtures = WeightsFixtures.Folder;
    private readonly TempFolder _temp = new();

    [Fact]
    public void TheLegacyAndTheZipFormat_GiveIdenticalTensors()
    {
        var legacy = StateDictReader.Read(Path.Combine(Fixtures, "legacy-state-dict.pth"));
        var zip = StateDictReader.Read(Path.Combine(Fixtures, "zip-state-dict.pth"));
        try
        {
            Assert.Equal(
                ["bn.bias", "bn.num_batches_tracked", "bn.running_mean", "bn.running_var", "bn.weight", "conv.bias", "conv.weight", "half.weight", "view.weight"],
                legacy.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(zip.Keys.Order(StringComparer.Ordinal), legacy.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, tensor) in zip)
            {
                Assert.Equal(tensor.dtype, legacy[name].dtype);
                Assert.Equal(tensor.shape, legacy[name].shape);
                Assert.True(tensor.eq(legacy[name]).all().item<bool>(), name);
            }

            Assert.Equal(7L, legacy["bn.num_batches_tracked"].item<long>());
            Assert.Equal(ScalarType.Float16, legacy["half.weight"].dtype);
            // view.weight is conv.weight reshaped to [4, 27], rows 1..2, every third column from 2, transposed.
            using var expected = legacy["conv.weight"].reshape(4, 27)[1..3, TensorIndex.Slice(2, 20, 3)].t();
            Assert.True(expected.eq(legacy["view.weight"]).all().item<bool>());
        }
        finally
        {
            foreach (var tensor in legacy.Values.Concat(zip.Values))
            {
                tensor.Dispose();
            }
        }
    }

    [Theory]
    [InlineData(-1, "truncated")]
    [InlineData(-100, "truncated")]
    [InlineData(5, "bytes no storage accounts for")]
    public void AFileWithMoreOrFewerStorageBytes_IsRefused(int change, string says)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, "legacy-state-dict.pth"));
        var changed = change < 0 ? bytes[..^(-change)] : [.. bytes, .. new byte[change]];
        var path = _temp["changed.pth"];
        File.WriteAllBytes(path, changed);

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AForgedElementCount_IsRefused_BeforeItIsAllocated()
    {
        // The first storage's element count (8 bytes after the pickles) claims 2^40 values.
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, "legacy-state-dict.pth"));
        var at = StorageStart(bytes);
        BitConverter.GetBytes(1L << 40).CopyTo(bytes, at);
        var path = _temp["forged.pth"];
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains("1,099,511,627,776 where the values are stored", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNeitherFormat_SaysWhatWasExpected()
    {
        var path = _temp["text.pth"];
        File.WriteAllText(path, "<html>not found</html>");

        var error = Assert.Throws<WeightsException>(() => StateDictReader.Read(path));

        Assert.Contains("neither a PyTorch zip archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Python2Strings_AreReadAsUtf8_AsTorchLoadDoes()
    {
        // Files saved from Python 2 (older torchvision weights among them) write str keys as SHORT_BINSTRING
        // ('U') and BINSTRING ('T'); torch.load reads them as UTF-8.
        var pickle = new PickleBytes().Op('}').Raw((byte)'U', 4).Raw("conv"u8.ToArray()).Raw((byte)'T', 3, 0, 0, 0).Raw("b\u00e9"u8.ToArray()[..3]).Op('s').Op('.').ToArray();

        var root = StateDictPickle.Load(pickle, "python 2 pickle");

        var dict = Assert.IsType<StateDictPickle.Dict>(root);
        Assert.Equal("conv", dict[0].Key);
        Assert.Equal("b\u00e9", dict[0].Value);
    }

    public void Dispose() => _temp.Dispose();

    // Where the storages start: after the fifth STOP opcode of the pickles ('.' ends each; torch.save's pickles
    // hold no '.' byte elsewhere in this fixture except inside strings, so walk the real pickles instead).
    private static int StorageStart(byte[] bytes)
    {
        var position = 15;
        for (var i = 0; i < 4; i++)
        {
            StateDictPickle.Load(bytes, position, "fixture", out position);
        }

        return position;
    }
}
