using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DiceRoller.Bench;

/// <summary>
/// One HTTP connection pool per loopback source address (127.0.0.2, 127.0.0.3, ...): every stream holds a
/// connection, and one address has only ~28,000 ephemeral ports towards one server port.
/// </summary>
internal sealed class SourcePool : IDisposable
{
    private readonly SocketsHttpHandler[] _handlers;

    public SourcePool(int count)
    {
        _handlers = new SocketsHttpHandler[count];
        Clients = new HttpClient[count];
        Invokers = new HttpMessageInvoker[count];
        for (var i = 0; i < count; i++)
        {
            var source = new IPAddress(new byte[] { 127, 0, (byte)(i / 250), (byte)((i % 250) + 2) });
            _handlers[i] = new SocketsHttpHandler
            {
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                MaxConnectionsPerServer = int.MaxValue,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                UseProxy = false,
                ConnectCallback = async (context, ct) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        socket.Bind(new IPEndPoint(source, 0));
                        await socket.ConnectAsync(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port, ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            Clients[i] = new HttpClient(_handlers[i], disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
            Invokers[i] = new HttpMessageInvoker(_handlers[i], disposeHandler: false);
        }
    }

    public HttpClient[] Clients { get; }

    public HttpMessageInvoker[] Invokers { get; }

    public void Dispose()
    {
        foreach (var client in Clients)
        {
            client.Dispose();
        }

        foreach (var invoker in Invokers)
        {
            invoker.Dispose();
        }

        foreach (var handler in _handlers)
        {
            handler.Dispose();
        }
    }
}

/// <summary>A minimal Server-Sent Events reader: calls back once per event, at the blank line that ends it.</summary>
internal static class SseReader
{
    public static async Task ReadAsync(Stream stream, Action<string?, string?, string> onEvent, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
        var data = new StringBuilder();
        string? type = null, id = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0 || type is not null)
                {
                    onEvent(type, id, data.ToString());
                }

                data.Clear();
                type = null;
                id = null;
                continue;
            }

            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0)
                {
                    data.Append('\n');
                }

                data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line[6..].Trim();
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].Trim();
            }
        }
    }
}
