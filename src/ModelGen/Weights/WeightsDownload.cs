using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ModelGen.Progress;
using Polly;
using Polly.Retry;

namespace ModelGen.Weights;

/// <summary>How official weights are downloaded: where from, whether at all, and the limits (tests shorten them).</summary>
internal sealed record DownloadSettings
{
    /// <summary>The folder URL the official file names are fetched from: torchvision's, or <c>MODELGEN_WEIGHTS_MIRROR</c>.</summary>
    public string BaseUrl { get; init; } = OfficialWeightsTable.BaseUrl;

    /// <summary>Never touch the network (<c>MODELGEN_OFFLINE=1</c>): a missing file is an error naming what to fetch.</summary>
    public bool Offline { get; init; }

    /// <summary>How long the server may send nothing (no headers, no body bytes) before the attempt is a timeout.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for another process that is downloading the same file.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Retries after the first attempt, for network errors, timeouts and 5xx/408/429 answers.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>The first retry's delay; each next one doubles (with jitter).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How progress is shown (a bar on a terminal, lines under CI or redirected output).</summary>
    public ProgressMode Progress { get; init; } = ProgressMode.Auto;

    /// <summary>Opens the partial file for writing (<see cref="FileMode.Create"/> or <see cref="FileMode.Append"/>); a seam for disk errors in tests.</summary>
    public Func<string, FileMode, Stream> OpenPartial { get; init; } =
        static (path, mode) => new FileStream(path, mode, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);

    /// <summary>The settings the environment asks for: <c>MODELGEN_WEIGHTS_MIRROR</c> and <c>MODELGEN_OFFLINE</c>.</summary>
    public static DownloadSettings FromEnvironment() => new()
    {
        BaseUrl = Environment.GetEnvironmentVariable(WeightsLocator.MirrorVariable) is { Length: > 0 } mirror ? mirror : OfficialWeightsTable.BaseUrl,
        Offline = Environment.GetEnvironmentVariable(WeightsLocator.OfflineVariable)?.Trim().ToLowerInvariant() is "1" or "true" or "yes",
    };
}

/// <summary>One file to download: where from, where to, how its bytes are checked, and how messages name it.</summary>
/// <param name="Url">The address fetched (the token, if any, is never part of it).</param>
/// <param name="FinalPath">Where the verified file goes; nothing else is ever written under this name.</param>
/// <param name="ExpectedSha256">The file's SHA-256 in hex, in full or its start (torchvision's names carry 8 digits); null checks nothing.</param>
internal sealed record DownloadTarget(string Url, string FinalPath, string? ExpectedSha256)
{
    /// <summary>What is downloaded, for messages: "the ImageNet weights of vgg16", "the weights of backbone.weights".</summary>
    public string What { get; init; } = "the weights file";

    /// <summary>The official torchvision entry this is, for messages about the official host and the mirror.</summary>
    public OfficialWeights? Official { get; init; }

    /// <summary>Whether the file comes from the Hugging Face Hub (401/403 answers then ask for <c>HF_TOKEN</c>).</summary>
    public bool Hub { get; init; }

    /// <summary>Sent as <c>Authorization: Bearer</c>; never logged nor put in a message.</summary>
    public string? BearerToken { get; init; }

    /// <summary>How the spec writes the source (<c>hf://…</c>), for the log line that asks to pin an unchecked file.</summary>
    public string? Reference { get; init; }

    /// <summary>The error when offline; null for the general one.</summary>
    public string? OfflineMessage { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"DownloadTarget {{ Url = {Url}, FinalPath = {FinalPath}, ExpectedSha256 = {ExpectedSha256} }}";
}

/// <summary>
/// Downloads a weights file (an official one under its official name, or a spec's URL or Hub file) into the
/// weights folder. The bytes go to <c>&lt;name&gt;.partial</c> next to it, whose SHA-256 must match the expected
/// hash (the start in an official name, or the spec's full <c>weights_sha256</c>) before it is renamed,
/// so the final name only ever holds a verified file and a good file is never touched. A lock file
/// (<c>&lt;name&gt;.lock</c>, opened exclusively) keeps two processes from downloading the same file; a dropped
/// connection resumes with a Range request; network errors, timeouts and 5xx/408/429 answers are retried with
/// exponential backoff; anything else (404, a web page, a hash mismatch, a disk error) fails at once.
/// </summary>
internal static class WeightsDownload
{
    private const int BufferSize = 1 << 16;

    private static readonly HttpClient Client = CreateClient();

    /// <summary>
    /// The path of <paramref name="weights"/> in <paramref name="folder"/>, downloaded first when it is not there.
    /// </summary>
    /// <exception cref="WeightsException">Offline, or the download failed; the message says why and what to do.</exception>
    public static string Fetch(OfficialWeights weights, string folder, DownloadSettings settings, ILogger logger)
    {
        var url = UrlOf(weights, settings);
        return Fetch(
            new DownloadTarget(url, Path.Combine(folder, weights.FileName), weights.HashPrefix)
            {
                What = $"the ImageNet weights of {weights.Architecture}",
                Official = weights,
                OfflineMessage = OfflineMessage(weights, folder, url),
            },
            settings,
            logger);
    }

    /// <summary>
    /// <see cref="DownloadTarget.FinalPath"/>, downloaded first when it is not there: atomically, under the lock,
    /// resumed and retried, and checked against <see cref="DownloadTarget.ExpectedSha256"/> (a full hash or its start).
    /// </summary>
    /// <exception cref="WeightsException">Offline, or the download failed; the message says why and what to do.</exception>
    public static string Fetch(DownloadTarget target, DownloadSettings settings, ILogger logger)
    {
        var final = target.FinalPath;
        var folder = Path.GetDirectoryName(final)!;
        if (File.Exists(final))
        {
            return final;
        }

        if (settings.Offline)
        {
            throw new WeightsException(target.OfflineMessage ?? OfflineMessage(target));
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightsException($"The weights folder {folder} could not be created to download {target.Url} into: {e.Message}. Set {WeightsLocator.EnvironmentVariable} (or ModelOptions.WeightsPath) to a writable folder.", e);
        }

        using (DownloadLock.Acquire(final + ".lock", target.Url, settings.LockTimeout, logger))
        {
            // Another process may have finished the download while this one waited for the lock.
            if (File.Exists(final))
            {
                return final;
            }

            // The work is asynchronous (timeouts on reads); Task.Run keeps a caller's synchronization context out of it.
            Task.Run(() => DownloadAsync(target, settings, logger)).GetAwaiter().GetResult();
            return final;
        }
    }

    /// <summary>The URL <paramref name="weights"/> is fetched from with <paramref name="settings"/>.</summary>
    public static string UrlOf(OfficialWeights weights, DownloadSettings settings) =>
        settings.BaseUrl.TrimEnd('/') + "/" + weights.FileName;

    /// <summary>The error when the file is missing and <c>MODELGEN_OFFLINE</c> forbids the download.</summary>
    public static string OfflineMessage(OfficialWeights weights, string folder, string url) =>
        $"ImageNet weights for {weights.Architecture} were not found and {WeightsLocator.OfflineVariable} is set, so they were not downloaded: "
        + $"fetch {url} into {folder} as {weights.FileName} (its SHA-256 must start with {weights.HashPrefix}), or unset {WeightsLocator.OfflineVariable}. "
        + WeightsLocator.MissingImageNet(weights.Architecture, folder);

    /// <summary>The error when a spec's remote weights file is missing and <c>MODELGEN_OFFLINE</c> forbids the download.</summary>
    public static string OfflineMessage(DownloadTarget target) =>
        $"{Capitalized(target.What)} were not found and {WeightsLocator.OfflineVariable} is set, so they were not downloaded: "
        + $"fetch {target.Url} into {Path.GetDirectoryName(target.FinalPath)} as {Path.GetFileName(target.FinalPath)}"
        + (target.ExpectedSha256 is { } hash ? $" (its SHA-256 must be {hash})" : "")
        + $", or unset {WeightsLocator.OfflineVariable}.";

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static async Task DownloadAsync(DownloadTarget target, DownloadSettings settings, ILogger logger)
    {
        var url = target.Url;
        var final = target.FinalPath;
        var partial = final + ".partial";
        var clock = Stopwatch.StartNew();
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientDownloadException>(),
                MaxRetryAttempts = settings.MaxRetries,
                Delay = settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = arguments =>
                {
                    logger.DownloadRetrying(url, arguments.AttemptNumber + 1, arguments.RetryDelay.TotalSeconds, arguments.Outcome.Exception?.Message ?? "");
                    return default;
                },
            })
            .Build();

        long bytes;
        try
        {
            bytes = await pipeline.ExecuteAsync(async token => await AttemptAsync(target, partial, settings, logger, token).ConfigureAwait(false), CancellationToken.None).ConfigureAwait(false);
        }
        catch (TransientDownloadException e)
        {
            throw new WeightsException(
                $"Downloading {url} failed after {settings.MaxRetries + 1} attempts: {e.Message}. The bytes received so far are kept in {partial}; the next run resumes from them. "
                + (target.Official is not null ? $"Check the network (or set {WeightsLocator.MirrorVariable} to a mirror)" : "Check the network")
                + $", or fetch the file yourself into {Path.GetDirectoryName(final)}" + (target.Official is not null ? "." : $" as {Path.GetFileName(final)}."),
                e);
        }

        var hash = await Sha256Async(partial).ConfigureAwait(false);
        if (target.ExpectedSha256 is { } expected && !hash.StartsWith(expected, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(partial);
            throw new WeightsException(target.Official is { } official
                ? $"The file downloaded from {url} is not the official {official.FileName}: its SHA-256 is {hash}, which does not start with {expected}. "
                    + "It was deleted. A mirror or proxy served other bytes; check it, or fetch the file from " + OfficialWeightsTable.BaseUrl + "."
                : $"The file downloaded from {url} is not the one the spec pins: its SHA-256 is {hash}, but backbone.weights_sha256 is {expected}. "
                    + "It was deleted. The file at that address changed, or a proxy served other bytes; check the address, and update weights_sha256 only if you trust the new file.");
        }

        // Never over a file that is there: the final name only ever holds a verified file.
        File.Move(partial, final, overwrite: false);
        logger.WeightsDownloaded(url, final, bytes, clock.Elapsed.TotalSeconds, hash);
        if (target.ExpectedSha256 is null)
        {
            logger.WeightsNotPinned(target.Reference ?? url, hash);
        }
    }

    // One request: resumes from the partial file's length with a Range request; returns the file's length when the body ended.
    private static async Task<long> AttemptAsync(DownloadTarget target, string partial, DownloadSettings settings, ILogger logger, CancellationToken cancellation)
    {
        var url = target.Url;
        var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        // HttpClient does not forward the Authorization header on a redirect, so the token never reaches the CDN
        // the Hub redirects to (RemoteWeightsTests checks a redirect to another host).
        if (target.BearerToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(settings.ReadTimeout);
        HttpResponseMessage response;
        try
        {
            response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new TransientDownloadException($"the request to {url} failed: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw new TransientDownloadException($"{url} sent no answer in {settings.ReadTimeout.TotalSeconds:0.#} s (timeout)", e);
        }

        using (response)
        {
            CheckStatus(response, target, offset, partial);
            var append = response.StatusCode == HttpStatusCode.PartialContent;
            if (append && response.Content.Headers.ContentRange?.From != offset)
            {
                throw new TransientDownloadException($"{url} answered the request for bytes from {offset} with {response.Content.Headers.ContentRange}");
            }

            if (response.Content.Headers.ContentType?.MediaType is "text/html" or "application/xhtml+xml")
            {
                throw new WeightsException(WebPageMessage(url, response.Content.Headers.ContentType.MediaType));
            }

            var start = append ? offset : 0;
            var length = response.Content.Headers.ContentLength;
            logger.WeightsDownloadStarted(url, partial, start + (length ?? 0), start);
            var body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                return start + await CopyAsync(body, url, partial, start, length, settings, logger, timeout, cancellation).ConfigureAwait(false);
            }
        }
    }

    private static void CheckStatus(HttpResponseMessage response, DownloadTarget target, long offset, string partial)
    {
        var url = target.Url;
        var status = (int)response.StatusCode;
        if (status == 416 && offset > 0)
        {
            // The partial file is not a prefix the server can continue (it changed, or it is complete and damaged): start over.
            File.Delete(partial);
            throw new TransientDownloadException($"{url} cannot continue from byte {offset} (416); starting again");
        }

        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var answer = $"{url} answered {status} {response.ReasonPhrase}";
        if (status >= 500 || status is 408 or 429)
        {
            throw new TransientDownloadException(answer);
        }

        var hint = (status, target) switch
        {
            (401 or 403, { Hub: true, BearerToken: { Length: > 0 } }) =>
                $"The Hugging Face Hub refused the token in {WeightsLocator.HubTokenVariable}: it lacks access to this repository (a private or gated one). "
                + "Ask for access on the repository's page, or set the variable to a token of an account that has it.",
            (401 or 403, { Hub: true }) =>
                $"The repository is private or gated: set {WeightsLocator.HubTokenVariable} to a Hugging Face access token (https://huggingface.co/settings/tokens) of an account that may read it.",
            (404 or 410, { Official: not null }) =>
                $"The server does not have this file; if {WeightsLocator.MirrorVariable} is set, check that the mirror serves torchvision's file names.",
            (404 or 410, { Hub: true }) => "The Hub has no such file: check the owner, repository, file path and revision in backbone.weights.",
            (404 or 410, _) => "The server does not have this file; check backbone.weights.",
            (_, { Official: not null }) => "The server refused the request; check the URL, a proxy, or the mirror.",
            _ => "The server refused the request; check the address and any proxy in between.",
        };
        throw new WeightsException($"Downloading {target.What} failed: {answer}. {hint}");
    }

    private static async Task<long> CopyAsync(Stream body, string url, string partial, long start, long? length, DownloadSettings settings, ILogger logger, CancellationTokenSource timeout, CancellationToken cancellation)
    {
        var buffer = new byte[BufferSize];
        long received = 0;
        Stream? file = null;
        using var progress = ProgressDisplay.Start($"Downloading {Path.GetFileName(url)}", ((start + (length ?? 0)) >> 10) + 1, "KiB", settings.Progress, logger);
        progress.Advance(start >> 10);
        var keepPartial = true;
        try
        {
            while (true)
            {
                int read;
                timeout.TryReset();
                timeout.CancelAfter(settings.ReadTimeout);
                try
                {
                    read = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellation.IsCancellationRequested)
                {
                    throw new TransientDownloadException($"{url} sent no bytes for {settings.ReadTimeout.TotalSeconds:0.#} s after {start + received} bytes (timeout)", e);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new TransientDownloadException($"the connection to {url} dropped after {start + received} bytes: {e.Message}", e);
                }

                if (read == 0)
                {
                    break;
                }

                if (start == 0 && received == 0 && buffer[0] == (byte)'<')
                {
                    throw new WeightsException(WebPageMessage(url, "a body starting with '<'"));
                }

                received += read;
                if (length is { } expected && received > expected)
                {
                    keepPartial = false;
                    throw new WeightsException($"{url} sent more bytes than its Content-Length ({expected}); the download is refused and deleted.");
                }

                file ??= OpenPartial(settings, partial, start > 0 ? FileMode.Append : FileMode.Create);
                try
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellation).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    keepPartial = false;
                    throw new WeightsException($"Writing the downloaded weights to {partial} failed: {e.Message} (is the disk full?). Free some space or set {WeightsLocator.EnvironmentVariable} to another folder.", e);
                }

                progress.Advance(((start + received) >> 10) - ((start + received - read) >> 10));
            }

            if (length is { } total && received < total)
            {
                throw new TransientDownloadException($"the connection to {url} closed after {start + received} of {start + total} bytes");
            }

            if (file is not null)
            {
                await file.FlushAsync(cancellation).ConfigureAwait(false);
            }

            return received;
        }
        finally
        {
            if (file is not null)
            {
                await DisposeQuietlyAsync(file).ConfigureAwait(false);
            }

            if (!keepPartial)
            {
                File.Delete(partial);
            }
        }
    }

    private static Stream OpenPartial(DownloadSettings settings, string partial, FileMode mode)
    {
        try
        {
            return settings.OpenPartial(partial, mode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightsException($"The downloaded weights could not be written to {partial}: {e.Message}. Make the folder writable or set {WeightsLocator.EnvironmentVariable} to another folder.", e);
        }
    }

    private static async Task DisposeQuietlyAsync(Stream file)
    {
        try
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // A full disk fails the last flush too; the write error already says so.
        }
    }

    private static string WebPageMessage(string url, string what) =>
        $"{url} returned a web page ({what}) instead of the weights file; the server (or a proxy or captive portal in between) "
        + "answered with HTML. Nothing was saved. Check the URL and the network, or fetch the file yourself.";

    private static async Task<string> Sha256Async(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream).ConfigureAwait(false));
        }
    }

    private static HttpClient CreateClient()
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            // Each attempt has its own timeouts (the read timeout); a large file may take long as a whole.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var version = typeof(WeightsDownload).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ModelGen", version));
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("(+weights download)"));
        return client;
    }

    /// <summary>A failure worth another attempt: the network, a timeout, a 5xx/408/429 answer.</summary>
    private sealed class TransientDownloadException(string message, Exception? inner = null) : Exception(message, inner);
}

/// <summary>
/// An exclusive lock on <c>&lt;name&gt;.lock</c> (FileShare.None: an advisory flock on Linux and macOS, a sharing
/// lock on Windows), released by the system when the process dies, so it never goes stale. Who holds it is
/// written to <c>&lt;name&gt;.lock.holder</c> for the message of a process that waits. The lock file stays
/// (deleting it would let a waiter lock a file no longer in the folder).
/// </summary>
internal sealed class DownloadLock : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _holderPath;

    private DownloadLock(FileStream stream, string holderPath)
    {
        _stream = stream;
        _holderPath = holderPath;
    }

    /// <summary>Takes the lock, waiting up to <paramref name="timeout"/> for another process that holds it.</summary>
    /// <exception cref="WeightsException">The wait timed out (the message says who holds it), or the folder is not writable.</exception>
    public static DownloadLock Acquire(string lockPath, string what, TimeSpan timeout, ILogger logger)
    {
        var holderPath = lockPath + ".holder";
        var clock = Stopwatch.StartNew();
        var logged = false;
        while (true)
        {
            FileStream? stream = null;
            try
            {
                stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new WeightsException($"The lock file {lockPath} could not be created: {e.Message}. Make the weights folder writable or set {WeightsLocator.EnvironmentVariable} to another folder.", e);
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                // Held by another process (or by another download of this one).
            }

            if (stream is not null)
            {
                WriteHolder(holderPath);
                return new DownloadLock(stream, holderPath);
            }

            if (!logged)
            {
                logged = true;
                logger.WaitingForDownload(what, lockPath, Holder(holderPath));
            }

            if (clock.Elapsed > timeout)
            {
                throw new WeightsException(
                    $"Waited {timeout.TotalSeconds:0.#} s for {Holder(holderPath)}, which holds {lockPath} while it downloads {what}. "
                    + "Wait for it to finish, or stop it (the lock is released when the process ends) and run again.");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_holderPath);
        }
        catch (IOException)
        {
            // The note is for messages only.
        }

        _stream.Dispose();
    }

    private static void WriteHolder(string holderPath)
    {
        try
        {
            File.WriteAllText(holderPath, string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:u}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The note is for messages only; the lock holds without it.
        }
    }

    private static string Holder(string holderPath)
    {
        try
        {
            return File.Exists(holderPath) ? File.ReadAllText(holderPath) : "another process";
        }
        catch (IOException)
        {
            return "another process";
        }
    }
}
