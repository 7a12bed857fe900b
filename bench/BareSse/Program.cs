// The benchmark's floor: a bare .NET SSE broadcaster doing the same job as DiceRoller and nothing else.
// POST /rooms -> {"code"}; GET /rooms/{code}/events?player=NAME joins the room and streams its rolls;
// POST /rooms/{code}/rolls?player=NAME draws 1d20 with a CSPRNG, gives it the room's next sequence,
// writes the event to every member's Channel and answers {"id","seq"}. No HTML, no store, no logging.
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
var app = builder.Build();
var rooms = new ConcurrentDictionary<string, BareRoom>(StringComparer.Ordinal);

app.MapGet("/health", () => "ok");
app.MapPost("/rooms", () =>
{
    var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
    rooms[code] = new BareRoom();
    return Results.Json(new Dictionary<string, string> { ["code"] = code });
});

app.MapGet("/rooms/{code}/events", async (string code, HttpContext context) =>
{
    if (!rooms.TryGetValue(code, out var room))
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return;
    }

    var channel = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(512) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    room.Join(channel);
    try
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync("event: connected\ndata: ok\n\n"u8.ToArray(), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        var reader = channel.Reader;
        while (await reader.WaitToReadAsync(context.RequestAborted))
        {
            while (reader.TryRead(out var bytes))
            {
                await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            }

            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }
    catch (OperationCanceledException)
    {
        // The client went away.
    }
    finally
    {
        room.Leave(channel);
    }
});

app.MapPost("/rooms/{code}/rolls", (string code, string? player) =>
{
    if (!rooms.TryGetValue(code, out var room))
    {
        return Results.NotFound();
    }

    var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
    var total = RandomNumberGenerator.GetInt32(1, 21);
    var seq = room.Broadcast(id, player ?? "?", total);
    return Results.Json(new Dictionary<string, object> { ["id"] = id, ["seq"] = seq });
});

await app.RunAsync();

internal sealed class BareRoom
{
    private readonly Lock _gate = new();
    private readonly List<Channel<byte[]>> _members = [];
    private long _sequence;

    public void Join(Channel<byte[]> channel)
    {
        lock (_gate)
        {
            _members.Add(channel);
        }
    }

    public void Leave(Channel<byte[]> channel)
    {
        lock (_gate)
        {
            _members.Remove(channel);
        }
    }

    /// <summary>Numbers the roll and writes it to every member, in sequence order (under the room's lock).</summary>
    public long Broadcast(string id, string player, int total)
    {
        lock (_gate)
        {
            var seq = ++_sequence;
            var data = string.Create(CultureInfo.InvariantCulture,
                $"event: roll\nid: {seq}\ndata: {{\"id\":\"{id}\",\"seq\":{seq},\"player\":\"{player}\",\"dice\":\"1d20\",\"total\":{total}}}\n\n");
            var bytes = Encoding.UTF8.GetBytes(data);
            foreach (var member in _members)
            {
                member.Writer.TryWrite(bytes);
            }

            return seq;
        }
    }
}
