using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace DiceRoller.Bench;

/// <summary>
/// The Socket.IO 4 peer (bench/socketio/server.js) over its WebSocket transport, spoken by hand (Engine.IO v4 packets:
/// <c>0</c> open, <c>2</c>/<c>3</c> ping/pong, <c>4</c> message; Socket.IO packets inside: <c>0</c> connect, <c>2</c> event,
/// <c>3</c> ack), so the generator needs no client library and binds its own source address.
/// </summary>
internal sealed class SocketIoProtocol(Uri baseUri) : IProtocol
{
    private sealed class Connection(ClientWebSocket socket)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        private int _nextAck;

        public ClientWebSocket Socket { get; } = socket;

        public ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> Acks { get; } = new();

        public async Task SendAsync(string text, CancellationToken ct)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            await _send.WaitAsync(ct);
            try
            {
                await Socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
            }
            finally
            {
                _send.Release();
            }
        }

        public async Task<JsonElement> EmitAsync(string name, object payload, CancellationToken ct)
        {
            var id = Interlocked.Increment(ref _nextAck);
            var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            Acks[id] = reply;
            await SendAsync($"42{id.ToString(CultureInfo.InvariantCulture)}{JsonSerializer.Serialize(new object[] { name, payload })}", ct);
            using var registration = ct.Register(() => reply.TrySetCanceled(ct));
            return await reply.Task;
        }
    }

    public async Task CreateRoomAsync(BenchPlayer creator, CancellationToken ct)
    {
        using var response = await creator.Http.PostAsync(new Uri(baseUri, "/rooms"), null, ct);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(ct);
        creator.Room.Code = created!["code"];
    }

    public Task JoinAsync(BenchPlayer player, CancellationToken ct) => Task.CompletedTask;

    public async Task StreamAsync(BenchPlayer player, Action<BenchPlayer, Arrival> onRoll, CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        var uri = new UriBuilder(baseUri) { Scheme = "ws", Path = "/socket.io/", Query = "EIO=4&transport=websocket" }.Uri;
        await socket.ConnectAsync(uri, player.Invoker, ct);
        var connection = new Connection(socket);
        player.Connection = connection;
        var buffer = new byte[8192];
        var message = new MemoryStream();
        while (!ct.IsCancellationRequested)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var now = Stopwatch.GetTimestamp();
            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            await OnPacketAsync(player, connection, text, now, onRoll, ct);
        }
    }

    private static async Task OnPacketAsync(BenchPlayer player, Connection connection, string text, long now,
        Action<BenchPlayer, Arrival> onRoll, CancellationToken ct)
    {
        if (text.StartsWith('0'))
        {
            await connection.SendAsync("40", ct); // open -> connect to the default namespace
        }
        else if (text == "2")
        {
            await connection.SendAsync("3", ct);
        }
        else if (text.StartsWith("40", StringComparison.Ordinal))
        {
            // Connected: join the room (in the background: its ack arrives through this same loop).
            _ = JoinRoomAsync(player, connection, ct);
        }
        else if (text.StartsWith("42", StringComparison.Ordinal))
        {
            using var json = JsonDocument.Parse(text.AsMemory(2));
            if (json.RootElement[0].GetString() == "roll")
            {
                var roll = json.RootElement[1];
                onRoll(player, new Arrival(roll.GetProperty("id").GetString()!, roll.GetProperty("seq").GetInt64(), now));
            }
        }
        else if (text.StartsWith("43", StringComparison.Ordinal))
        {
            var bracket = text.IndexOf('[', StringComparison.Ordinal);
            var id = int.Parse(text.AsSpan(2, bracket - 2), CultureInfo.InvariantCulture);
            using var json = JsonDocument.Parse(text.AsMemory(bracket));
            if (connection.Acks.TryRemove(id, out var reply))
            {
                reply.TrySetResult(json.RootElement[0].Clone());
            }
        }
    }

    private static async Task JoinRoomAsync(BenchPlayer player, Connection connection, CancellationToken ct)
    {
        try
        {
            var reply = await connection.EmitAsync("join", new Dictionary<string, string> { ["room"] = player.Room.Code, ["name"] = player.Name }, ct);
            if (reply.TryGetProperty("ok", out _))
            {
                player.Connected.TrySetResult();
            }
            else
            {
                player.Connected.TrySetException(new InvalidOperationException("join refused: " + reply.GetRawText()));
            }
        }
        catch (Exception ex)
        {
            player.Connected.TrySetException(ex);
        }
    }

    public async Task<string?> RollAsync(BenchPlayer player, CancellationToken ct)
    {
        if (player.Connection is not Connection connection)
        {
            return null;
        }

        var reply = await connection.EmitAsync("roll", new Dictionary<string, string>(), ct);
        return reply.TryGetProperty("id", out var id) ? id.GetString() : null;
    }
}
