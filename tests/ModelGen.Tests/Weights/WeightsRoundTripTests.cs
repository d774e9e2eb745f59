using ModelGen.Backbones;
using ModelGen.Weights;
using ModelGen.Tests.Infrastructure;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ModelGen.Tests.Weights;

/// <summary>Weights through safetensors, PyTorch (.pth) and TorchSharp (.dat) files, and clear refusals of files that do not fit.</summary>
public sealed class WeightsRoundTripTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-weights-").FullName;

    [Theory]
    [InlineData(".safetensors")]
    [InlineData(".pth")]
    [InlineData(".pt")]
    [InlineData(".dat")]
    public void SavedWeights_LoadBackExactly(string extension)
    {
        using var source = Backbone("resnet18", seed: 1);
        using var target = Backbone("resnet18", seed: 2);
        var path = Path.Combine(_folder, "resnet18" + extension);
        Save(source, path);

        WeightsLoader.Load(target, path);

        AssertSameState(source, target);
    }

    [Fact]
    public void FullTorchvisionStateDict_LoadsIntoTheCutBackbone_AndReportsTheUnusedClassifier()
    {
        using var full = torchvision.models.mobilenet_v2();
        var path = Path.Combine(_folder, "mobilenet_v2-full.pth");
        full.save_py(path);
        using var target = Backbone("mobilenet_v2", seed: 3, cutAt: "features.10");

        var unused = WeightsLoader.Load(target, path);

        Assert.Contains("classifier.1.weight", unused);
        Assert.Contains("features.11.conv.0.0.weight", unused);
        using var expected = full.named_parameters().Single(p => p.name == "features.8.conv.1.0.weight").parameter.detach().clone();
        Assert.True(target.named_parameters().Single(p => p.name == "features.8.conv.1.0.weight").parameter.Identical(expected));
    }

    [Theory]
    [InlineData(".safetensors")]
    [InlineData(".pth")]
    [InlineData(".pt")]
    [InlineData(".dat")]
    public void WeightsOfAnotherArchitecture_AreRefusedByName_AndNothingIsLoaded(string extension)
    {
        using var resnet18 = Backbone("resnet18", seed: 4);
        var path = Path.Combine(_folder, "resnet18" + extension);
        Save(resnet18, path);
        using var resnet34 = Backbone("resnet34", seed: 5);
        using var before = resnet34.named_parameters().First().parameter.detach().clone();

        var error = Assert.Throws<WeightsException>(() => WeightsLoader.Load(resnet34, path));

        Assert.Contains("missing", error.Message);
        Assert.Contains("layer1.2.conv1.weight", error.Message);
        Assert.Contains("Nothing was loaded", error.Message);
        Assert.True(resnet34.named_parameters().First().parameter.Identical(before));
    }

    [Theory]
    [InlineData(".safetensors")]
    [InlineData(".pth")]
    [InlineData(".pt")]
    [InlineData(".dat")]
    public void MisshapedTensors_AreReportedWithBothShapes(string extension)
    {
        // A gray-input stem: conv1 takes one channel where the backbone takes three.
        using var source = Backbone("resnet18", seed: 6);
        var conv1 = (TorchSharp.Modules.Conv2d)source.named_modules().Single(m => m.name == "conv1").module;
        conv1.weight = new TorchSharp.Modules.Parameter(randn(64, 1, 7, 7));
        var path = Path.Combine(_folder, "misshaped" + extension);
        Save(source, path);
        using var target = Backbone("resnet18", seed: 7);
        using var before = target.named_parameters().First().parameter.detach().clone();

        var error = Assert.Throws<WeightsException>(() => WeightsLoader.Load(target, path));

        Assert.Contains("conv1.weight (file 64x1x7x7, model 64x3x7x7)", error.Message);
        Assert.Contains(path, error.Message);
        Assert.True(target.named_parameters().First().parameter.Identical(before));
    }

    [Theory]
    [InlineData(".pth")]
    [InlineData(".safetensors")]
    [InlineData(".dat")]
    public void TruncatedOrJunkFiles_GiveAClearError(string extension)
    {
        using var source = Backbone("resnet18", seed: 8);
        var good = Path.Combine(_folder, "good" + extension);
        Save(source, good);
        var truncated = Path.Combine(_folder, "truncated" + extension);
        var bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length / 3).ToArray());
        var junk = Path.Combine(_folder, "junk" + extension);
        File.WriteAllText(junk, "this is not a weights file at all");
        using var target = Backbone("resnet18", seed: 9);

        Assert.Contains(truncated, Assert.Throws<WeightsException>(() => WeightsLoader.Load(target, truncated)).Message);
        Assert.Contains(junk, Assert.Throws<WeightsException>(() => WeightsLoader.Load(target, junk)).Message);
    }

    [Fact]
    public void HostileHeaders_AreRefusedBeforeAnythingLarge_IsAllocated()
    {
        using var target = Backbone("resnet18", seed: 10);

        // A safetensors header that claims a terabyte.
        var huge = Path.Combine(_folder, "huge-header.safetensors");
        File.WriteAllBytes(huge, [.. BitConverter.GetBytes(1UL << 40), .. "{}"u8.ToArray()]);
        Assert.Contains("header", Assert.Throws<WeightsException>(() => WeightsLoader.Load(target, huge)).Message);

        // A tensor whose bytes lie beyond the end of the file.
        var header = """{"conv1.weight":{"dtype":"F32","shape":[64,3,7,7],"data_offsets":[0,37632]}}"""u8.ToArray();
        var beyond = Path.Combine(_folder, "beyond.safetensors");
        File.WriteAllBytes(beyond, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[16]]);
        Assert.Contains("conv1.weight", Assert.Throws<WeightsException>(() => WeightsLoader.Load(target, beyond)).Message);

        // A zip bomb named .pth: 200 MB of zeros in a small file.
        var bomb = Path.Combine(_folder, "bomb.pth");
        using (var archive = System.IO.Compression.ZipFile.Open(bomb, System.IO.Compression.ZipArchiveMode.Create))
        using (var entry = archive.CreateEntry("archive/data/0", System.IO.Compression.CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 200; i++)
            {
                entry.Write(zeros);
            }
        }

        Assert.True(new FileInfo(bomb).Length < 1 << 20);
        Assert.Contains("refusing", Assert.Throws<WeightsException>(() => WeightsLoader.Load(target, bomb)).Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static Backbone Backbone(string architecture, int seed, string? cutAt = null)
    {
        manual_seed(seed);
        var discarded = new List<nn.Module>();
        var stages = ModuleCutter.Cut(TorchVisionCatalog.ConvolutionalBase(ArchitectureNames.Parse(architecture), discarded), cutAt, discarded);
        foreach (var module in discarded)
        {
            module.Dispose();
        }

        return new Backbone(new BackboneDefinition(ArchitectureNames.Parse(architecture), WeightsKind.None, cutAt, [3, 32, 32], [0, 0, 0], 3, BatchNormMode.Frozen, ""), stages, Preprocessing.ImageNet);
    }

    private static void Save(nn.Module module, string path)
    {
        switch (Path.GetExtension(path))
        {
            case ".safetensors":
                module.save_safetensors(path);
                break;
            case ".dat":
                module.save(path);
                break;
            default:
                module.save_py(path);
                break;
        }
    }

    private static void AssertSameState(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
        {
            Assert.True(tensor.Identical(b[name]), $"{name} differs");
        }
    }
}
