using System.Security.Cryptography;
using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;

namespace ModelGen.Tests.Weights;

/// <summary>
/// <c>weights: imagenet</c> with the file missing, end to end through <see cref="BackboneWeights.Resolve"/>, as the
/// environment steers it: <c>MODELGEN_WEIGHTS_MIRROR</c> (a loopback server) and <c>MODELGEN_OFFLINE</c>.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class WeightsDownloadEnvironmentTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void MissingImageNetWeights_AreDownloadedFromTheMirror_AndFoundThereAfterwards()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(WeightsDownloadTests.Fixture, request));
        using var table = OfficialWeightsTable.Replace(new Dictionary<string, OfficialWeights> { ["resnet18"] = WeightsDownloadTests.Entry });
        using var environment = ProcessEnvironment.Set((WeightsLocator.MirrorVariable, server.BaseUrl), (WeightsLocator.OfflineVariable, null));
        var logger = new CapturingLogger();
        var options = new ModelOptions { WeightsPath = _folder.Path, Logger = logger };

        var path = BackboneWeights.Resolve(Definition(Architecture.ResNet18), options);

        Assert.Equal(_folder[WeightsDownloadTests.Entry.FileName], path);
        Assert.Equal(WeightsDownloadTests.Fixture, File.ReadAllBytes(path!));
        Assert.Single(logger.Of(LogEvents.WeightsDownloaded));

        Assert.Equal(path, BackboneWeights.Resolve(Definition(Architecture.ResNet18), options));
        Assert.Single(server.Requests);
    }

    [Fact]
    public void TamperedFileOnTheMirror_IsRefused()
    {
        var tampered = (byte[])WeightsDownloadTests.Fixture.Clone();
        tampered[100] ^= 1;
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(tampered, request));
        using var table = OfficialWeightsTable.Replace(new Dictionary<string, OfficialWeights> { ["resnet18"] = WeightsDownloadTests.Entry });
        using var environment = ProcessEnvironment.Set((WeightsLocator.MirrorVariable, server.BaseUrl), (WeightsLocator.OfflineVariable, null));

        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(Architecture.ResNet18), new ModelOptions { WeightsPath = _folder.Path }));

        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(tampered)), error.Message, StringComparison.Ordinal);
        Assert.Contains(server.BaseUrl + WeightsDownloadTests.Entry.FileName, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder[WeightsDownloadTests.Entry.FileName]));
        Assert.False(File.Exists(_folder[WeightsDownloadTests.Entry.FileName + ".partial"]));
    }

    [Fact]
    public void Offline_MissingImageNetWeights_NameTheOfficialFileAndTheExportCommand()
    {
        using var environment = ProcessEnvironment.Set((WeightsLocator.OfflineVariable, "1"), (WeightsLocator.MirrorVariable, null));

        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(Architecture.Vgg16), new ModelOptions { WeightsPath = _folder.Path }));

        Assert.Contains("https://download.pytorch.org/models/vgg16-397923af.pth", error.Message, StringComparison.Ordinal);
        Assert.Contains($"into {_folder.Path} as vgg16-397923af.pth", error.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256 must start with 397923af", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_folder.Path, "vgg16.pth"), error.Message, StringComparison.Ordinal);
        Assert.Contains("torchvision.models.vgg16(weights='DEFAULT').state_dict()", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void OfficialFileAlreadyInTheFolder_IsFound_EvenOffline()
    {
        using var environment = ProcessEnvironment.Set((WeightsLocator.OfflineVariable, "1"));
        var official = _folder["vgg16-397923af.pth"];
        File.WriteAllBytes(official, [1]);

        Assert.Equal(official, BackboneWeights.Resolve(Definition(Architecture.Vgg16), new ModelOptions { WeightsPath = _folder.Path }));
        Assert.Equal(official, WeightsLocator.ImageNet("vgg16", _folder.Path));
    }

    public void Dispose() => _folder.Dispose();

    private static BackboneDefinition Definition(Architecture architecture) =>
        new(architecture, WeightsKind.ImageNet, null, [3, 32, 32], [512, 1, 1], 3, BatchNormMode.Frozen, "");
}
