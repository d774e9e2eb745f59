using System.Security.Cryptography;
using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;

namespace ModelGen.Tests.Weights;

/// <summary>
/// <c>weights: http(s)://…</c> with <c>weights_sha256</c>, and <c>weights: hf://owner/repo/file[@revision]</c>, end to end
/// through <see cref="BackboneWeights.Resolve"/> against a loopback server (<c>HF_ENDPOINT</c> points the Hub at it).
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class RemoteWeightsTests : IDisposable
{
    private const string Token = "hf_SECRETtoken1234567890abcdef";

    private static readonly byte[] Fixture = WeightsDownloadTests.Fixture;
    private static readonly string FixtureSha256 = Convert.ToHexStringLower(SHA256.HashData(Fixture));

    private readonly TempFolder _folder = new();

    [Fact]
    public void Url_IsDownloadedOnce_CheckedAgainstTheFullSha256_AndNeverSentTheHubToken()
    {
        using var server = new LoopbackHttpServer(request => request.Path == "/files/x.pth" ? LoopbackReply.File(Fixture, request) : LoopbackReply.Error(404));
        using var environment = Environment(server, token: Token);
        var logger = new CapturingLogger();
        var options = new ModelOptions { WeightsPath = _folder.Path, Logger = logger };
        var definition = Definition(WeightsKind.Url, server.BaseUrl + "files/x.pth", FixtureSha256.ToUpperInvariant());

        var path = BackboneWeights.Resolve(definition, options)!;

        Assert.Equal(Fixture, File.ReadAllBytes(path));
        Assert.Equal("x.pth", Path.GetFileName(path));
        Assert.Equal(Path.Combine(_folder.Path, "url"), Path.GetDirectoryName(Path.GetDirectoryName(path)));
        Assert.Matches("^[0-9a-f]{16}$", Path.GetFileName(Path.GetDirectoryName(path)));
        Assert.Equal(FixtureSha256, Assert.Single(logger.Of(LogEvents.WeightsDownloaded))["Sha256"]);
        Assert.Empty(logger.Of(LogEvents.WeightsNotPinned));
        Assert.Null(Assert.Single(server.Requests).Authorization);

        Assert.Equal(path, BackboneWeights.Resolve(definition, options));
        Assert.Single(server.Requests);
    }

    [Fact]
    public void Url_WhoseBytesAreNotThePinnedOnes_IsRefused_AndLeavesNoFile()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        using var environment = Environment(server);
        var pinned = Convert.ToHexStringLower(SHA256.HashData([1, 2, 3]));

        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(WeightsKind.Url, server.BaseUrl + "x.safetensors", pinned), new ModelOptions { WeightsPath = _folder.Path }));

        Assert.Contains(FixtureSha256, error.Message, StringComparison.Ordinal);
        Assert.Contains(pinned, error.Message, StringComparison.Ordinal);
        Assert.Contains(server.BaseUrl + "x.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Empty(DownloadedFiles("x.safetensors"));
    }

    [Fact]
    public void Url_Offline_NamesTheUrlFolderFileAndHash_WithoutARequest()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        using var environment = Environment(server, offline: true);
        var url = server.BaseUrl + "x.pth";

        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(WeightsKind.Url, url, FixtureSha256), new ModelOptions { WeightsPath = _folder.Path }));

        Assert.Contains($"fetch {url} into {Path.Combine(_folder.Path, "url")}", error.Message, StringComparison.Ordinal);
        Assert.Contains("as x.pth", error.Message, StringComparison.Ordinal);
        Assert.Contains(FixtureSha256, error.Message, StringComparison.Ordinal);
        Assert.Contains(WeightsLocator.OfflineVariable, error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Url_TheMirrorDoesNotApply()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        using var mirror = new LoopbackHttpServer(request => LoopbackReply.Error(500));
        using var environment = ProcessEnvironment.Set(
            (WeightsLocator.MirrorVariable, mirror.BaseUrl), (WeightsLocator.OfflineVariable, null), (WeightsLocator.HubTokenVariable, null), (WeightsLocator.HubEndpointVariable, null));

        BackboneWeights.Resolve(Definition(WeightsKind.Url, server.BaseUrl + "x.pth", FixtureSha256), new ModelOptions { WeightsPath = _folder.Path });

        Assert.Single(server.Requests);
        Assert.Empty(mirror.Requests);
    }

    [Fact]
    public void Hub_WithRevision_FetchesTheResolvePathWithTheToken_LogsTheHashToPin_AndNeverTheToken()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        using var environment = Environment(server, token: Token);
        var logger = new CapturingLogger();
        const string Reference = "hf://acme/tiny-net.tv_in1k/weights/model.pth@v1.0";

        var path = BackboneWeights.Resolve(Definition(WeightsKind.HuggingFace, Reference), new ModelOptions { WeightsPath = _folder.Path, Logger = logger })!;

        var request = Assert.Single(server.Requests);
        Assert.Equal("/acme/tiny-net.tv_in1k/resolve/v1.0/weights/model.pth", request.Path);
        Assert.Equal("Bearer " + Token, request.Authorization);
        Assert.Equal(Path.Combine(_folder.Path, "hf", "acme", "tiny-net.tv_in1k", "v1.0", "weights", "model.pth"), path);
        Assert.Equal(Fixture, File.ReadAllBytes(path));
        var pin = Assert.Single(logger.Of(LogEvents.WeightsNotPinned));
        Assert.Equal(FixtureSha256, pin["Sha256"]);
        Assert.Contains("weights_sha256: " + FixtureSha256, pin.Message, StringComparison.Ordinal);
        AssertNowhere(Token, logger);
    }

    [Fact]
    public void Hub_WithoutRevision_UsesMain_AndAPinnedHashGoesIntoTheFolderName()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        using var environment = Environment(server);
        var logger = new CapturingLogger();

        var path = BackboneWeights.Resolve(Definition(WeightsKind.HuggingFace, "hf://timm/resnet18.tv_in1k/model.pth", FixtureSha256), new ModelOptions { WeightsPath = _folder.Path, Logger = logger })!;

        Assert.Equal("/timm/resnet18.tv_in1k/resolve/main/model.pth", Assert.Single(server.Requests).Path);
        Assert.Null(server.Requests[0].Authorization);
        Assert.Equal(Path.Combine(_folder.Path, "hf", "timm", "resnet18.tv_in1k", "main-" + FixtureSha256[..16], "model.pth"), path);
        Assert.Empty(logger.Of(LogEvents.WeightsNotPinned));
    }

    [Fact]
    public void Hub_401WithoutAToken_SaysToSetHfToken()
    {
        using var server = new LoopbackHttpServer(_ => LoopbackReply.Error(401));
        using var environment = Environment(server);

        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(WeightsKind.HuggingFace, "hf://acme/private/model.safetensors"), new ModelOptions { WeightsPath = _folder.Path }));

        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("set HF_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        Assert.Empty(DownloadedFiles("model.safetensors"));
    }

    [Fact]
    public void Hub_403WithAToken_SaysTheTokenLacksAccess_WithoutPrintingIt()
    {
        using var server = new LoopbackHttpServer(_ => LoopbackReply.Error(403));
        using var environment = Environment(server, token: Token);
        var logger = new CapturingLogger();

        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(WeightsKind.HuggingFace, "hf://acme/gated/model.safetensors"), new ModelOptions { WeightsPath = _folder.Path, Logger = logger }));

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
        Assert.Contains("lacks access", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
        Assert.Equal("Bearer " + Token, Assert.Single(server.Requests).Authorization);
        AssertNowhere(Token, logger);
    }

    [Fact]
    public void Hub_RedirectToAnotherHost_DoesNotForwardTheToken()
    {
        LoopbackHttpServer? server = null;
        server = new LoopbackHttpServer(request => request.Path.StartsWith("/cdn/", StringComparison.Ordinal)
            ? LoopbackReply.File(Fixture, request)
            : LoopbackReply.Redirect($"http://localhost:{server!.Port}/cdn/blob"));
        using (server)
        {
            using var environment = Environment(server, token: Token);

            var path = BackboneWeights.Resolve(Definition(WeightsKind.HuggingFace, "hf://acme/tiny/model.pth"), new ModelOptions { WeightsPath = _folder.Path })!;

            Assert.Equal(Fixture, File.ReadAllBytes(path));
            Assert.Equal(2, server.Requests.Count);
            Assert.Equal("Bearer " + Token, server.Requests[0].Authorization);
            Assert.StartsWith("localhost:", server.Requests[1].Host, StringComparison.Ordinal);
            Assert.Null(server.Requests[1].Authorization);
        }
    }

    [Fact]
    public void LocalFile_WithWeightsSha256_IsChecked()
    {
        var file = _folder["local.pth"];
        File.WriteAllBytes(file, Fixture);
        var options = new ModelOptions();

        Assert.Equal(file, BackboneWeights.Resolve(Definition(WeightsKind.File, null, FixtureSha256) with { WeightsFile = file }, options));
        var wrong = new string('0', 64);
        var error = Assert.Throws<WeightsException>(() => BackboneWeights.Resolve(Definition(WeightsKind.File, null, wrong) with { WeightsFile = file }, options));
        Assert.Contains(FixtureSha256, error.Message, StringComparison.Ordinal);
        Assert.Contains(wrong, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    // The file and its partial download, anywhere in the folder (the lock file stays, as for official weights).
    private string[] DownloadedFiles(string name) =>
        Directory.GetFiles(_folder.Path, name + "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToArray();

    private static IDisposable Environment(LoopbackHttpServer server, string? token = null, bool offline = false) =>
        ProcessEnvironment.Set(
            (WeightsLocator.HubEndpointVariable, server.BaseUrl.TrimEnd('/')),
            (WeightsLocator.HubTokenVariable, token),
            (WeightsLocator.OfflineVariable, offline ? "1" : null),
            (WeightsLocator.MirrorVariable, null));

    private static void AssertNowhere(string secret, CapturingLogger logger)
    {
        foreach (var entry in logger.Entries)
        {
            Assert.DoesNotContain(secret, entry.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, entry.Exception?.ToString() ?? "", StringComparison.Ordinal);
            Assert.All(entry.Properties.Values, value => Assert.DoesNotContain(secret, value?.ToString() ?? "", StringComparison.Ordinal));
        }
    }

    private static BackboneDefinition Definition(WeightsKind kind, string? url, string? sha256 = null) =>
        new(Architecture.ResNet18, kind, null, [3, 32, 32], [512, 1, 1], 3, BatchNormMode.Frozen, "", WeightsUrl: url, WeightsSha256: sha256);
}
