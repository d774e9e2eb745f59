using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// One request the server received: its number (from 1), method, path, the start of its Range, its User-Agent,
/// its Authorization header (null when none) and its Host header.
/// </summary>
internal sealed record LoopbackRequest(int Number, string Method, string Path, long? RangeFrom, string UserAgent, string? Authorization = null, string Host = "");

/// <summary>
/// What the server answers. The body is written as it is, whatever <see cref="ContentLength"/> says (a server
/// that lies); <see cref="DropAfter"/> closes the connection after that many body bytes, <see cref="StallAfter"/>
/// sends that many then nothing more until the test ends, <see cref="PieceDelay"/> sends the body slowly (256-byte pieces).
/// </summary>
internal sealed record LoopbackReply(int Status, byte[] Body)
{
    public string ContentType { get; init; } = "application/octet-stream";

    public long? ContentLength { get; init; }

    public long? ContentRangeFrom { get; init; }

    public long? ContentRangeTotal { get; init; }

    public int? DropAfter { get; init; }

    public int? StallAfter { get; init; }

    public TimeSpan PieceDelay { get; init; }

    /// <summary>A Location header (for redirects).</summary>
    public string? Location { get; init; }

    /// <summary>A redirect (302) to <paramref name="location"/>.</summary>
    public static LoopbackReply Redirect(string location) => new(302, []) { Location = location, ContentType = "text/plain" };

    /// <summary>The whole file (200), or from the request's Range on (206) when <paramref name="ranges"/> is on.</summary>
    public static LoopbackReply File(byte[] file, LoopbackRequest request, bool ranges = true) =>
        ranges && request.RangeFrom is { } from
            ? new LoopbackReply(206, file[(int)from..]) { ContentRangeFrom = from, ContentRangeTotal = file.Length }
            : new LoopbackReply(200, file);

    public static LoopbackReply Error(int status) => new(status, Encoding.ASCII.GetBytes($"status {status}")) { ContentType = "text/plain" };
}

/// <summary>
/// An HTTP/1.1 server on 127.0.0.1 (a free port) written on raw sockets, so that it can misbehave as real
/// servers do: drop a connection mid-body, stall, send more bytes than it declares. Each connection serves one
/// request (Connection: close). It counts the requests.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<LoopbackRequest, LoopbackReply> _reply;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<LoopbackRequest> _requests = [];

    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackReply> reply)
    {
        _reply = reply;
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    /// <summary>The folder URL, ending with a slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    /// <summary>The port the server listens on (127.0.0.1 only).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<LoopbackRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var lines = head.Split("\r\n");
                var first = lines[0].Split(' ');
                var headers = lines.Skip(1).Where(l => l.Contains(':', StringComparison.Ordinal))
                    .ToDictionary(l => l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
                long? rangeFrom = headers.TryGetValue("Range", out var range) && range.StartsWith("bytes=", StringComparison.Ordinal)
                    ? long.Parse(range["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture)
                    : null;
                LoopbackRequest request;
                lock (_requests)
                {
                    request = new LoopbackRequest(_requests.Count + 1, first[0], first[1], rangeFrom, headers.GetValueOrDefault("User-Agent") ?? "", headers.GetValueOrDefault("Authorization"), headers.GetValueOrDefault("Host") ?? "");
                    _requests.Add(request);
                }

                await WriteAsync(stream, _reply(request));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (a timeout), or the test ended.
            }
        }
    }

    private async Task WriteAsync(NetworkStream stream, LoopbackReply reply)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(reply.Status).Append(' ').Append(reply.Status is 200 or 206 ? "OK" : "Status").Append("\r\n")
            .Append("Content-Type: ").Append(reply.ContentType).Append("\r\n")
            .Append("Content-Length: ").Append(reply.ContentLength ?? reply.Body.Length).Append("\r\n")
            .Append("Connection: close\r\n");
        if (reply.Location is { } location)
        {
            head.Append("Location: ").Append(location).Append("\r\n");
        }

        if (reply.ContentRangeFrom is { } from)
        {
            head.Append("Content-Range: bytes ").Append(from).Append('-').Append(from + reply.Body.Length - 1).Append('/').Append(reply.ContentRangeTotal).Append("\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
        var end = Math.Min(reply.Body.Length, reply.DropAfter ?? reply.StallAfter ?? int.MaxValue);
        const int Piece = 256;
        for (var offset = 0; offset < end; offset += Piece)
        {
            await stream.WriteAsync(reply.Body.AsMemory(offset, Math.Min(Piece, end - offset)), _stop.Token);
            if (reply.PieceDelay > TimeSpan.Zero)
            {
                await Task.Delay(reply.PieceDelay, _stop.Token);
            }
        }

        await stream.FlushAsync(_stop.Token);
        if (reply.StallAfter is not null)
        {
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (!(bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("the client closed the connection before the end of its request");
            }

            bytes.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. bytes]);
    }
}
