using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.Extensions.Options;
using RazorSlices;

namespace DiceRoller.Live;

/// <summary>
/// <c>GET /rooms/{code}/events</c>: one Server-Sent Events stream per open room page. Subscribes first,
/// replays history after the client's last sequence (Last-Event-ID header, or <c>after</c> in the URL),
/// then goes live, filling any gap from history and dropping duplicates, with heartbeat comments.
/// </summary>
public static class LiveEndpoints
{
    private const int ReplayBatch = 200;

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rooms/{code}/events", Stream);
        return app;
    }

    private static async Task<IResult> Stream(string code, HttpContext context, RoomService rooms, IRoomStore store,
        RoomBroadcaster broadcaster, TimeProvider time, IOptions<LiveOptions> options, ILoggerFactory loggers)
    {
        var room = await rooms.FindAsync(code, context.RequestAborted);
        if (room is null)
        {
            return Results.Text(RoomService.RoomNotFound(code.ToUpperInvariant()).Message, statusCode: StatusCodes.Status404NotFound);
        }

        var me = RoomService.Authenticate(room, PlayerCookie.Read(context, room.Room.Code));
        if (me is null)
        {
            return Results.Text(RoomService.NotInRoom(room.Room.Code).Message, statusCode: StatusCodes.Status403Forbidden);
        }

        var after = Math.Max(ParseSequence(context.Request.Headers["Last-Event-ID"]), ParseSequence(context.Request.Query["after"]));
        var session = new LiveSession(context, room, new Viewer(me.PlayerId, room.IsDm(me.PlayerId), null), after,
            store, broadcaster, time, options.Value, loggers.CreateLogger("DiceRoller.Live"));
        context.Response.Headers.CacheControl = "no-cache, no-transform";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(session.RunAsync(context.RequestAborted));
    }

    private static long ParseSequence(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>The state of one stream: who watches, and the last sequence it has sent.</summary>
    private sealed class LiveSession(HttpContext context, RoomSnapshot room, Viewer viewer, long after, IRoomStore store,
        RoomBroadcaster broadcaster, TimeProvider time, LiveOptions options, ILogger logger)
    {
        private readonly string _code = room.Room.Code;
        private long _lastSent = after;

        public async IAsyncEnumerable<SseItem<string>> RunAsync([EnumeratorCancellation] CancellationToken ct)
        {
            // Subscribe before reading history, so nothing that happens in between is lost.
            using var subscription = broadcaster.Subscribe(_code);
            logger.LogDebug("Stream opened for {PlayerId} in {RoomCode} after #{Sequence}", viewer.PlayerId, _code, _lastSent);

            yield return new SseItem<string>("ok", "connected") { ReconnectionInterval = options.ReconnectDelay };
            foreach (var item in await CatchUpAsync(ct))
            {
                yield return item;
            }

            while (!ct.IsCancellationRequested)
            {
                var wait = await WaitAsync(subscription, ct);
                if (wait == Wake.Closed)
                {
                    yield break;
                }

                if (wait == Wake.Heartbeat)
                {
                    await WriteHeartbeatAsync(ct);
                    continue;
                }

                while (subscription.Reader.TryRead(out var roomEvent))
                {
                    foreach (var item in await HandleAsync(roomEvent, ct))
                    {
                        yield return item;
                    }
                }
            }
        }

        private enum Wake
        {
            Event,
            Heartbeat,
            Closed,
        }

        private async Task<Wake> WaitAsync(RoomSubscription subscription, CancellationToken ct)
        {
            using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct);
            try
            {
                var read = subscription.Reader.WaitToReadAsync(ct).AsTask();
                var delay = Task.Delay(options.HeartbeatInterval, time, heartbeat.Token);
                var first = await Task.WhenAny(read, delay);
                if (first == read)
                {
                    await heartbeat.CancelAsync();
                    return await read ? Wake.Event : Wake.Closed;
                }

                return ct.IsCancellationRequested ? Wake.Closed : Wake.Heartbeat;
            }
            catch (OperationCanceledException)
            {
                return Wake.Closed;
            }
        }

        private async Task<List<SseItem<string>>> HandleAsync(RoomEvent roomEvent, CancellationToken ct)
        {
            switch (roomEvent.Type)
            {
                case RoomEvent.RollType when roomEvent.Roll is not null:
                    if (roomEvent.Sequence <= _lastSent)
                    {
                        return []; // already sent (replayed from history, or a duplicate)
                    }

                    if (roomEvent.Sequence == _lastSent + 1)
                    {
                        return [await RollItemAsync(roomEvent.Roll)];
                    }

                    logger.LogInformation("Gap in {RoomCode}: got #{Sequence} after #{LastSent}; filling from history",
                        _code, roomEvent.Sequence, _lastSent);
                    return await CatchUpAsync(ct);

                case RoomBroadcaster.ResyncType:
                    return await CatchUpAsync(ct);

                case RoomEvent.PlayerJoinedType when roomEvent.Player is not null && roomEvent.Player.PlayerId != viewer.PlayerId:
                    var fresh = await store.GetAsync(_code, ct) ?? room;
                    var html = await RenderAsync(_PlayerEntry.Create(new PlayerEntryModel(roomEvent.Player, fresh, viewer.PlayerId)), ct);
                    return [new SseItem<string>(html, RoomEvent.PlayerJoinedType)];

                default:
                    return [];
            }
        }

        /// <summary>Everything in history after the last sequence sent, in order.</summary>
        private async Task<List<SseItem<string>>> CatchUpAsync(CancellationToken ct)
        {
            var items = new List<SseItem<string>>();
            while (true)
            {
                var rolls = await store.GetRollsAfterAsync(_code, _lastSent, ReplayBatch, ct);
                foreach (var roll in rolls)
                {
                    items.Add(await RollItemAsync(roll));
                }

                if (rolls.Count < ReplayBatch)
                {
                    return items;
                }
            }
        }

        private async Task<SseItem<string>> RollItemAsync(Roll roll)
        {
            var html = await RenderAsync(_RollEntry.Create(new RollEntryModel(roll, viewer)), CancellationToken.None);
            _lastSent = roll.Sequence;
            return new SseItem<string>(html, RoomEvent.RollType) { EventId = roll.Sequence.ToString(CultureInfo.InvariantCulture) };
        }

        private async Task WriteHeartbeatAsync(CancellationToken ct)
        {
            try
            {
                await context.Response.WriteAsync(": heartbeat\n\n", ct);
                await context.Response.Body.FlushAsync(ct);
            }
            catch (OperationCanceledException)
            {
                // The client went away; the loop ends on the next wait.
            }
        }

        private static async Task<string> RenderAsync(RazorSlice slice, CancellationToken ct) =>
            (await slice.RenderAsync(htmlEncoder: null, cancellationToken: ct)).Trim();
    }
}
