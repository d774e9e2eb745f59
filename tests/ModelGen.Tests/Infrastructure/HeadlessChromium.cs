using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// A headless Chromium (Debian's <c>chromium</c>) driven over the Chrome DevTools Protocol, with its network cut
/// off: host names resolve nowhere, a dead proxy takes every connection, and the page is told it is offline. It
/// records what a page must not do: console errors, uncaught exceptions, error log entries and JavaScript dialogs.
/// Every wait has a timeout; disposing kills the browser's whole process tree and deletes its profile.
/// </summary>
internal sealed class HeadlessChromium : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<int, TaskCompletionSource<JsonObject>> _pending = [];
    private readonly List<JsonObject> _events = [];
    private readonly Task _receiving;
    private int _nextId;

    private HeadlessChromium(Process process, string profile, Uri page)
    {
        _process = process;
        _profile = profile;
        _socket.ConnectAsync(page, _stop.Token).WaitAsync(Timeout).GetAwaiter().GetResult();
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>The chromium executable on the PATH, or null when it is not installed.</summary>
    public static string? Executable { get; } = FindExecutable();

    /// <summary>What went wrong on the pages loaded so far: console errors, exceptions, error log entries, dialogs.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_events)
            {
                return _events.Select(Problem).OfType<string>().ToList();
            }
        }
    }

    /// <summary>Starts the browser with the network cut off, on an empty page.</summary>
    public static HeadlessChromium Start()
    {
        var executable = Executable ?? throw new InvalidOperationException("chromium is not installed: apt-get install -y --no-install-recommends chromium");
        var profile = Directory.CreateTempSubdirectory("modelgen-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--allow-file-access-from-files",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            $"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1280,1000", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new HeadlessChromium(process, profile, PageSocket(process, profile));
        }
        catch
        {
            Stop(process, profile);
            throw;
        }
    }

    /// <summary>Sends a command and waits for its result.</summary>
    public JsonObject Send(string method, object? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var done = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending)
        {
            _pending[id] = done;
        }

        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, _stop.Token).WaitAsync(Timeout).GetAwaiter().GetResult();
        var reply = done.Task.WaitAsync(Timeout).GetAwaiter().GetResult();
        if (reply["error"] is { } error)
        {
            throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
        }

        return reply["result"]?.AsObject() ?? [];
    }

    /// <summary>Opens <paramref name="file"/> (file://) and waits for its load event.</summary>
    public void Open(string file)
    {
        int loaded;
        lock (_events)
        {
            loaded = _events.Count(e => (string?)e["method"] == "Page.loadEventFired");
        }

        Send("Page.navigate", new { url = new Uri(Path.GetFullPath(file)).AbsoluteUri });
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (_events)
            {
                if (_events.Count(e => (string?)e["method"] == "Page.loadEventFired") > loaded)
                {
                    return;
                }
            }

            if (deadline.Elapsed > Timeout || _receiving.IsCompleted)
            {
                throw new TimeoutException($"{file} did not finish loading within {Timeout.TotalSeconds:0} s");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Evaluates a JavaScript expression in the page and returns its value (as JSON).</summary>
    public JsonNode? Evaluate(string expression)
    {
        var result = Send("Runtime.evaluate", new { expression, returnByValue = true });
        if (result["exceptionDetails"] is { } exception)
        {
            throw new InvalidOperationException($"{expression} threw: {exception.ToJsonString()}");
        }

        return result["result"]?["value"];
    }

    /// <summary>A PNG of the viewport.</summary>
    public byte[] Screenshot() => Convert.FromBase64String((string)Send("Page.captureScreenshot", new { format = "png" })["data"]!);

    /// <summary>Enables the domains whose events are recorded and takes the page offline.</summary>
    public void Watch()
    {
        Send("Runtime.enable");
        Send("Log.enable");
        Send("Page.enable");
        Send("Network.enable");
        Send("Network.emulateNetworkConditions", new { offline = true, latency = 0, downloadThroughput = 0, uploadThroughput = 0 });
        Send("Emulation.setDeviceMetricsOverride", new { width = 1280, height = 1000, deviceScaleFactor = 1, mobile = false });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _socket.Abort();
        _socket.Dispose();
        Stop(_process, _profile);
        _stop.Dispose();
    }

    private static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .SelectMany(folder => new[] { "chromium", "chromium-browser" }.Select(name => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);

    // The browser writes its port to DevToolsActivePort in the profile; its page list gives the page's socket.
    private static Uri PageSocket(Process process, string profile)
    {
        var file = Path.Combine(profile, "DevToolsActivePort");
        var deadline = Stopwatch.StartNew();
        string[] lines = [];
        while (lines.Length < 2)
        {
            if (process.HasExited || deadline.Elapsed > Timeout)
            {
                throw new TimeoutException($"chromium did not open its DevTools port within {Timeout.TotalSeconds:0} s (exited: {process.HasExited})");
            }

            Thread.Sleep(100);
            try
            {
                lines = File.Exists(file) ? File.ReadAllLines(file) : [];
            }
            catch (IOException)
            {
                lines = []; // still being written
            }
        }

        using var http = new HttpClient { Timeout = Timeout };
        var targets = JsonNode.Parse(http.GetStringAsync($"http://127.0.0.1:{lines[0].Trim()}/json/list").GetAwaiter().GetResult())!.AsArray();
        var page = targets.First(t => (string?)t!["type"] == "page")!;
        return new Uri((string)page["webSocketDebuggerUrl"]!);
    }

    private static void Stop(Process process, string profile)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        process.Dispose();
        for (var attempt = 0; attempt < 5 && Directory.Exists(profile); attempt++)
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(200); // the last child may still be closing its files
            }
        }
    }

    private static string? Problem(JsonObject message)
    {
        var parameters = message["params"];
        return (string?)message["method"] switch
        {
            "Runtime.consoleAPICalled" when (string?)parameters?["type"] == "error" => "console error: " + parameters!["args"]?.ToJsonString(),
            "Runtime.exceptionThrown" => "exception: " + parameters?["exceptionDetails"]?.ToJsonString(),
            "Log.entryAdded" when (string?)parameters?["entry"]?["level"] == "error" => "log error: " + parameters!["entry"]!.ToJsonString(),
            "Page.javascriptDialogOpening" => "dialog: " + parameters?.ToJsonString(),
            _ => null,
        };
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var part = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (part.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage)
                {
                    continue;
                }

                var node = JsonNode.Parse(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length))!.AsObject();
                message.SetLength(0);
                if (node["id"] is { } id)
                {
                    TaskCompletionSource<JsonObject>? waiting;
                    lock (_pending)
                    {
                        _pending.Remove((int)id, out waiting);
                    }

                    waiting?.TrySetResult(node);
                }
                else
                {
                    lock (_events)
                    {
                        _events.Add(node);
                    }

                    if ((string?)node["method"] == "Page.javascriptDialogOpening")
                    {
                        // A dialog blocks the page: dismiss it (it is recorded above and fails the test).
                        var id2 = Interlocked.Increment(ref _nextId);
                        var dismiss = JsonSerializer.SerializeToUtf8Bytes(new { id = id2, method = "Page.handleJavaScriptDialog", @params = new { accept = false } });
                        await _socket.SendAsync(dismiss, WebSocketMessageType.Text, true, _stop.Token);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The browser went away or the session ended.
        }
    }
}
