using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace DiceRoller.Tests.Storage.Support;

/// <summary>
/// A Valkey/Redis server's <c>MONITOR</c> feed on a plain socket: every command the server runs, in order, with who sent it
/// (<c>+1700000000.123456 [0 127.0.0.1:5555] "evalsha" ...</c>; a script's own calls say <c>[0 lua]</c>).
/// </summary>
public sealed class CommandMonitor : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StreamReader _reader;

    private CommandMonitor(TcpClient client, StreamReader reader)
    {
        _client = client;
        _reader = reader;
    }

    /// <param name="hostAndPort">e.g. <c>127.0.0.1:6379</c></param>
    public static async Task<CommandMonitor> StartAsync(string hostAndPort)
    {
        var colon = hostAndPort.LastIndexOf(':');
        var client = new TcpClient();
        await client.ConnectAsync(hostAndPort[..colon], int.Parse(hostAndPort[(colon + 1)..], CultureInfo.InvariantCulture));
        var stream = client.GetStream();
        await stream.WriteAsync("MONITOR\r\n"u8.ToArray());
        var reader = new StreamReader(stream, Encoding.UTF8);
        var ok = await reader.ReadLineAsync();
        if (ok != "+OK")
        {
            client.Dispose();
            throw new InvalidOperationException($"MONITOR answered {ok}");
        }

        return new CommandMonitor(client, reader);
    }

    /// <summary>
    /// Reads the feed up to the command that carries <paramref name="marker"/> (sent by the caller, e.g. <c>ECHO marker</c>) and
    /// returns how many commands clients sent before it, by lowercase name (a script's own calls not counted).
    /// </summary>
    public async Task<Dictionary<string, long>> ReadUntilAsync(string marker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await _reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains($"\"{marker}\"", StringComparison.Ordinal))
            {
                return counts;
            }

            var close = line.IndexOf("] \"", StringComparison.Ordinal);
            if (close < 0 || line.AsSpan(0, close).EndsWith(" lua", StringComparison.Ordinal))
            {
                continue;
            }

            var name = line[(close + 3)..];
            name = name[..name.IndexOf('"', StringComparison.Ordinal)].ToLowerInvariant();
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }

        throw new InvalidOperationException($"The MONITOR feed ended before {marker}.");
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
