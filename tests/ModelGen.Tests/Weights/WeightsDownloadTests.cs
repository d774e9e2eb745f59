using System.Security.Cryptography;
using System.Text;
using ModelGen.Backbones;
using ModelGen.Tests.Infrastructure;
using ModelGen.Weights;

namespace ModelGen.Tests.Weights;

/// <summary>
/// Downloading official weights from a loopback server that misbehaves as real ones do: every failure leaves no
/// file under the final name and never touches a good one; transient failures are retried, the rest are not.
/// </summary>
public sealed class WeightsDownloadTests : IDisposable
{
    internal static readonly byte[] Fixture = File.ReadAllBytes(Path.Combine(WeightsFixtures.Folder, "zip-state-dict.pth"));

    private readonly TempFolder _folder = new();

    /// <summary>The fixture as an official entry: its name carries the start of its SHA-256, as torchvision's do.</summary>
    internal static OfficialWeights Entry { get; } = new("testnet", $"testnet-{Convert.ToHexStringLower(SHA256.HashData(Fixture))[..8]}.pth", 0, 0);

    private string Final => _folder[Entry.FileName];

    [Fact]
    public void MissingFile_IsDownloadedVerifiedAndRenamed_WithStartAndEndLogged()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        var logger = new CapturingLogger();

        var path = WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), logger);

        Assert.Equal(Final, path);
        Assert.Equal(Fixture, File.ReadAllBytes(path));
        Assert.Equal("/" + Entry.FileName, Assert.Single(server.Requests).Path);
        Assert.StartsWith("ModelGen/", server.Requests[0].UserAgent, StringComparison.Ordinal);
        Assert.Equal([Entry.FileName, Entry.FileName + ".lock"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal((long)Fixture.Length, Assert.Single(logger.Of(LogEvents.WeightsDownloadStarted))["TotalBytes"]);
        var done = Assert.Single(logger.Of(LogEvents.WeightsDownloaded));
        Assert.Equal((long)Fixture.Length, done["Bytes"]);
        Assert.Equal(Final, done["WeightsPath"]);
    }

    [Fact]
    public void GoodFileAlreadyThere_IsNotTouched_AndNoRequestIsMade()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        File.WriteAllBytes(Final, Fixture);
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(Final, written);

        Assert.Equal(Final, WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), new CapturingLogger()));

        Assert.Empty(server.Requests);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Final));
    }

    [Fact]
    public void WrongBytes_AreRefusedByTheHash_NotRetried_AndDeleted()
    {
        var tampered = (byte[])Fixture.Clone();
        tampered[^10] ^= 0xFF;
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(tampered, request));

        var error = Fetching(server);

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.Contains(Entry.HashPrefix, error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        AssertNoDownloadLeft();
    }

    [Fact]
    public void DroppedConnection_IsResumedWithARangeRequest_AndAppended()
    {
        var half = Fixture.Length / 2;
        using var server = new LoopbackHttpServer(request => request.Number == 1
            ? new LoopbackReply(200, Fixture) { DropAfter = half }
            : LoopbackReply.File(Fixture, request));

        Assert.Equal(Fixture, File.ReadAllBytes(WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), new CapturingLogger())));

        Assert.Null(server.Requests[0].RangeFrom);
        Assert.Equal(half, server.Requests[1].RangeFrom);
    }

    [Fact]
    public void ServerIgnoringTheRange_Answers200_AndTheDownloadStartsOver()
    {
        using var server = new LoopbackHttpServer(request => request.Number == 1
            ? new LoopbackReply(200, Fixture) { DropAfter = Fixture.Length / 3 }
            : LoopbackReply.File(Fixture, request, ranges: false));

        Assert.Equal(Fixture, File.ReadAllBytes(WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), new CapturingLogger())));

        Assert.Equal(2, server.Requests.Count);
        Assert.NotNull(server.Requests[1].RangeFrom);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(408)]
    [InlineData(429)]
    public void TransientStatus_IsRetried_WithTheRetryLogged(int status)
    {
        using var server = new LoopbackHttpServer(request => request.Number == 1 ? LoopbackReply.Error(status) : LoopbackReply.File(Fixture, request));
        var logger = new CapturingLogger();

        Assert.Equal(Fixture, File.ReadAllBytes(WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), logger)));

        Assert.Equal(2, server.Requests.Count);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(logger.Of(LogEvents.WeightsDownloadRetrying)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PersistentServerError_IsReportedAfterTheRetries_WithTheUrlAndStatus()
    {
        using var server = new LoopbackHttpServer(_ => LoopbackReply.Error(500));

        var error = Fetching(server);

        Assert.Equal(Settings(server).MaxRetries + 1, server.Requests.Count);
        Assert.Contains(server.BaseUrl + Entry.FileName, error.Message, StringComparison.Ordinal);
        Assert.Contains("500", error.Message, StringComparison.Ordinal);
        AssertNoDownloadLeft();
    }

    [Theory]
    [InlineData(404)]
    [InlineData(403)]
    public void NotFoundOrForbidden_IsNotRetried_AndNamesTheUrlAndStatus(int status)
    {
        using var server = new LoopbackHttpServer(_ => LoopbackReply.Error(status));

        var error = Fetching(server);

        Assert.Single(server.Requests);
        Assert.Contains(server.BaseUrl + Entry.FileName, error.Message, StringComparison.Ordinal);
        Assert.Contains($"answered {status}", error.Message, StringComparison.Ordinal);
        AssertNoDownloadLeft();
    }

    [Fact]
    public void StalledServer_IsATimeout_RetriedByResuming()
    {
        using var server = new LoopbackHttpServer(request => request.Number == 1
            ? new LoopbackReply(200, Fixture) { StallAfter = 100 }
            : LoopbackReply.File(Fixture, request));
        var logger = new CapturingLogger();

        Assert.Equal(Fixture, File.ReadAllBytes(WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), logger)));

        Assert.Null(server.Requests[0].RangeFrom);
        Assert.All(server.Requests.Skip(1), request => Assert.Equal(100, request.RangeFrom));
        Assert.Contains("timeout", logger.Of(LogEvents.WeightsDownloadRetrying)[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerThatAlwaysStalls_IsReportedAsATimeout_AfterTheRetries()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request) with { StallAfter = 0 });
        var logger = new CapturingLogger();

        var error = Assert.Throws<WeightsException>(() => WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), logger));

        // Counted on the client's side: on a loaded machine an attempt may time out before the server records it.
        Assert.Equal(Settings(server).MaxRetries, logger.Of(LogEvents.WeightsDownloadRetrying).Count);
        Assert.All(logger.Of(LogEvents.WeightsDownloadRetrying), retry => Assert.Contains("timeout", retry.Message, StringComparison.Ordinal));
        Assert.Contains("timeout", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Final));
    }

    [Fact]
    public void BodyLongerThanItsContentLength_NeverReachesTheFile_BeyondTheDeclaredLength()
    {
        // HTTP framing stops at Content-Length: the extra bytes are not read, the declared ones fail the hash.
        using var server = new LoopbackHttpServer(_ => new LoopbackReply(200, Fixture) { ContentLength = Fixture.Length - 100 });

        var error = Fetching(server);

        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        AssertNoDownloadLeft();
    }

    [Fact]
    public void ExtraBytesAfterTheDeclaredBody_AreNotWritten()
    {
        using var server = new LoopbackHttpServer(_ => new LoopbackReply(200, [.. Fixture, .. new byte[5000]]) { ContentLength = Fixture.Length });

        Assert.Equal(Fixture, File.ReadAllBytes(WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), new CapturingLogger())));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/octet-stream")]
    public void WebPageServedWith200_IsRefused_NotRetried(string contentType)
    {
        var page = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>Sign in to the network</body></html>");
        using var server = new LoopbackHttpServer(_ => new LoopbackReply(200, page) { ContentType = contentType });

        var error = Fetching(server);

        Assert.Contains("returned a web page", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        AssertNoDownloadLeft();
    }

    [Fact]
    public void FullDisk_IsAClearError_AndLeavesNothing()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        var settings = Settings(server) with { OpenPartial = (path, mode) => new FullDiskStream(new FileStream(path, mode), room: 1000) };

        var error = Assert.Throws<WeightsException>(() => WeightsDownload.Fetch(Entry, _folder.Path, settings, new CapturingLogger()));

        Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
        Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        AssertNoDownloadLeft();
    }

    [Fact]
    public void UnwritableFolder_IsAClearError()
    {
        // Tests run as root, which chmod does not stop: a file where the folder should be cannot be written into either.
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        var notAFolder = _folder["weights"];
        File.WriteAllBytes(notAFolder, [1]);

        var error = Assert.Throws<WeightsException>(() => WeightsDownload.Fetch(Entry, notAFolder, Settings(server), new CapturingLogger()));

        Assert.Contains(notAFolder, error.Message, StringComparison.Ordinal);
        Assert.Contains("writable", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void Offline_NeverTouchesTheNetwork_AndSaysWhatToFetch()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));

        var error = Assert.Throws<WeightsException>(() => WeightsDownload.Fetch(Entry, _folder.Path, Settings(server) with { Offline = true }, new CapturingLogger()));

        Assert.Empty(server.Requests);
        Assert.Contains(server.BaseUrl + Entry.FileName, error.Message, StringComparison.Ordinal);
        Assert.Contains(_folder.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains(Entry.HashPrefix, error.Message, StringComparison.Ordinal);
        Assert.Contains("torch.save(torchvision.models.testnet(weights='DEFAULT').state_dict()", error.Message, StringComparison.Ordinal);
        AssertNoDownloadLeft();
    }

    [Fact]
    public void LockHeldByAnotherDownload_IsWaitedFor_ThenReportedWithItsHolder()
    {
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request));
        using var held = DownloadLock.Acquire(Final + ".lock", "elsewhere", TimeSpan.Zero, new CapturingLogger());
        var logger = new CapturingLogger();

        var error = Assert.Throws<WeightsException>(() => WeightsDownload.Fetch(Entry, _folder.Path, Settings(server) with { LockTimeout = TimeSpan.FromMilliseconds(300) }, logger));

        Assert.Contains($"process {Environment.ProcessId} on {Environment.MachineName}", error.Message, StringComparison.Ordinal);
        Assert.Contains(Final + ".lock", error.Message, StringComparison.Ordinal);
        Assert.Single(logger.Of(LogEvents.WaitingForWeightsDownload));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void TwoProcesses_DownloadTheFileOnce()
    {
        // Slow (about 5 s): the second process starts once the first one's request arrived, so it finds the lock taken.
        using var server = new LoopbackHttpServer(request => LoopbackReply.File(Fixture, request) with { PieceDelay = TimeSpan.FromMilliseconds(400) });
        var arguments = new[] { "download", _folder.Path, Entry.FileName, server.BaseUrl };

        using var first = TestHostProcess.Start(arguments);
        Assert.True(first.WaitUntil(() => server.Requests.Count > 0, TimeSpan.FromMinutes(1)), first.Output);
        using var second = TestHostProcess.Start(arguments);

        foreach (var host in new[] { first, second })
        {
            Assert.True(host.WaitUntil(() => host.Output.Contains("downloaded", StringComparison.Ordinal), TimeSpan.FromMinutes(1)), host.Output);
            Assert.Contains($"downloaded {Final}", host.Output, StringComparison.Ordinal);
        }

        Assert.Single(server.Requests);
        Assert.Equal(Fixture, File.ReadAllBytes(Final));
    }

    [Fact]
    public void Table_HasTheOfficialFileOfEveryCatalogArchitecture_WithAHashPrefix()
    {
        var catalog = Enum.GetValues<Architecture>().Where(a => a is not Architecture.ResNet18Mlnet and not Architecture.Onnx).Select(ModelGen.Shared.SpecWords.NameOf).ToList();

        Assert.Equal(catalog.Order(StringComparer.Ordinal), OfficialWeightsTable.All.Select(w => w.Architecture).Order(StringComparer.Ordinal));
        Assert.All(OfficialWeightsTable.All, weights =>
        {
            Assert.Matches("^[0-9a-f]{8}$", weights.HashPrefix);
            // The architecture's name, then a dash, or a suffix first (inception_v3_google-0cc3c7bd.pth).
            Assert.Matches("^" + System.Text.RegularExpressions.Regex.Escape(weights.Architecture) + "(_[a-z]+)?-", weights.FileName);
            Assert.EndsWith(".pth", weights.FileName, StringComparison.Ordinal);
        });
        Assert.Equal("397923af", OfficialWeightsTable.Find("vgg16")!.HashPrefix);
        Assert.Null(OfficialWeightsTable.Find("resnet18_mlnet"));
    }

    public void Dispose() => _folder.Dispose();

    internal static DownloadSettings Settings(LoopbackHttpServer server) => new()
    {
        BaseUrl = server.BaseUrl,
        ReadTimeout = TimeSpan.FromSeconds(1),
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetries = 2,
        Progress = ProgressMode.Lines,
    };

    private WeightsException Fetching(LoopbackHttpServer server) =>
        Assert.Throws<WeightsException>(() => WeightsDownload.Fetch(Entry, _folder.Path, Settings(server), new CapturingLogger()));

    private void AssertNoDownloadLeft()
    {
        Assert.False(File.Exists(Final), "a file that failed appeared under the final name");
        Assert.False(File.Exists(Final + ".partial"), "a refused download was kept");
    }

    /// <summary>A file stream on a disk with <c>room</c> bytes free: the write past it fails as Linux reports ENOSPC.</summary>
    private sealed class FullDiskStream(Stream inner, long room) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_written + count > room)
            {
                throw new IOException("No space left on device");
            }

            inner.Write(buffer, offset, count);
            _written += count;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
