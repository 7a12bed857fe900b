using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DiceRoller.Tests.E2E;

/// <summary>How the <see cref="NetworkLink"/> behaves while it is down.</summary>
public enum Outage
{
    /// <summary>The link is up.</summary>
    None,

    /// <summary>Every connection is reset (TCP RST), like a dropped Wi-Fi or a crashed server.</summary>
    ConnectionReset,

    /// <summary>Open connections are reset, then every new request gets <c>502 Bad Gateway</c>, like nginx with the app down.</summary>
    BadGateway,
}

/// <summary>
/// A loopback TCP relay between one browser context and the app, so a test can drop that person's network
/// for real. Playwright's <c>SetOfflineAsync</c> does not do it: Chromium's offline emulation only fails new
/// requests and leaves an open EventSource streaming (checked with Chromium 156), and route interception
/// cannot touch a response that is already streaming. Cutting the TCP connections here is what a real
/// network drop or proxy restart does to the page.
/// </summary>
public sealed class NetworkLink : IAsyncDisposable
{
    private static readonly byte[] BadGatewayResponse = Encoding.ASCII.GetBytes(
        "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Gateway");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly ConcurrentDictionary<Socket, byte> _browserSockets = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile Outage _outage;

    public NetworkLink(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>The address the browser uses instead of the app's own.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Resets every open connection and keeps the link down until <see cref="Restore"/>.</summary>
    public void Cut(Outage outage)
    {
        _outage = outage;
        foreach (var socket in _browserSockets.Keys)
        {
            Reset(socket);
        }
    }

    public void Restore() => _outage = Outage.None;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _browserSockets.Keys)
        {
            Reset(socket);
        }

        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket browser;
            try
            {
                browser = await _listener.AcceptSocketAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(browser, ct);
        }
    }

    private async Task ServeAsync(Socket browser, CancellationToken ct)
    {
        switch (_outage)
        {
            case Outage.ConnectionReset:
                Reset(browser);
                return;
            case Outage.BadGateway:
                await AnswerBadGatewayAsync(browser, ct);
                return;
        }

        _browserSockets.TryAdd(browser, 0);
        using var app = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await app.ConnectAsync(_upstream, ct);
            using var fromBrowser = new NetworkStream(browser, ownsSocket: false);
            using var fromApp = new NetworkStream(app, ownsSocket: false);
            Task[] copies = [fromBrowser.CopyToAsync(fromApp, ct), fromApp.CopyToAsync(fromBrowser, ct)];
            await Task.WhenAny(copies);
            Reset(browser);
            app.Dispose();
            await Task.WhenAll(copies);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away; closing both below is all there is to do.
        }
        finally
        {
            _browserSockets.TryRemove(browser, out _);
            Reset(browser);
        }
    }

    private static async Task AnswerBadGatewayAsync(Socket browser, CancellationToken ct)
    {
        try
        {
            // Read the request head before answering, as a proxy would.
            var buffer = new byte[8192];
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await browser.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (read == 0)
                {
                    break;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await browser.SendAsync(BadGatewayResponse, SocketFlags.None, ct);
            browser.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The browser gave up first.
        }
        finally
        {
            browser.Dispose();
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close with RST, not a graceful FIN
            socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
