using System.Globalization;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;

namespace DiceRoller.Live;

/// <summary>
/// <c>GET /rooms/{code}/events</c>: one Server-Sent Events stream per open room page. Subscribes first,
/// replays history after the client's last sequence (Last-Event-ID header, or <c>after</c> in the URL),
/// then goes live, filling any gap from history and dropping duplicates, with heartbeat comments.
/// </summary>
public static class LiveEndpoints
{
    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rooms/{code}/events", Stream);
        app.MapGet(PresencePath, Present);
        return app;
    }

    /// <summary>The heartbeat of a room page without JavaScript (its &lt;noscript&gt; frame reloads it).</summary>
    public const string PresencePath = "/rooms/{code}/present";

    /// <summary>
    /// A page without JavaScript cannot hold a stream, so its hidden frame (inside &lt;noscript&gt;) loads this every heartbeat
    /// interval: each load keeps its player present for three intervals (like a stream's heartbeat), on every instance (the
    /// store keeps it), and the rosters say "online, no live updates". The first load after an absence tells the room.
    /// </summary>
    private static async Task<IResult> Present(string code, HttpContext context, RoomService rooms, IRooms store, IRoomEventPublisher publisher,
        TimeProvider time, IOptions<LiveOptions> live)
    {
        var member = await MemberRequest.ResolveAsync(context, code, rooms, fragment: true);
        if (member.Refusal is { } refusal)
        {
            return refusal;
        }

        var (room, me) = (member.Room!, member.Me!);
        var seconds = Math.Max(1, (int)Math.Ceiling(live.Value.HeartbeatInterval.TotalSeconds));
        var until = time.GetUtcNow().AddSeconds(seconds * 3).ToUnixTimeMilliseconds();
        await store.SetPresenceAsync(room.Room.Code, me.PlayerId, PagePresence.StreamId(me.PlayerId), until, context.RequestAborted);
        if (!room.IsConnected(me.PlayerId))
        {
            await publisher.PublishAsync(RoomEvent.ForPlayerJoined(room.Room.Code, me), context.RequestAborted);
        }

        // Framed by its own room page only (the app's pages are never framed otherwise); nothing in it to click.
        context.Response.Headers.XFrameOptions = "SAMEORIGIN";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'self'";
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(
            $"<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"{seconds.ToString(CultureInfo.InvariantCulture)}\"><title>Present</title></html>",
            "text/html; charset=utf-8");
    }

    private static async Task<IResult> Stream(string code, HttpContext context, RoomService rooms, IRooms store, IRoomDoor door, IRollLog rollLog,
        IRoomEventPublisher publisher, RoomBroadcaster broadcaster, TimeProvider time, IOptions<LiveOptions> live,
        IOptions<RoomOptions> roomOptions, IAntiforgery antiforgery, IHostApplicationLifetime lifetime, ILogger<LiveSession> logger, StreamLimits limits)
    {
        var room = await rooms.FindAsync(code, context.RequestAborted);
        var credential = room is null ? null : PlayerCookie.Read(context, room.Room.Code);
        var me = room is null ? null : RoomService.Authenticate(room, credential);
        if (me is null && await MemberRequest.CountLookAsync(context, rooms) is { } tooMany)
        {
            HtmlResults.SetRetryAfter(context, tooMany);
            return Results.Text(tooMany.Message, statusCode: StatusCodes.Status429TooManyRequests);
        }

        if (room is null)
        {
            return Results.Text(RoomService.RoomNotFound(code.ToUpperInvariant()).Message, statusCode: StatusCodes.Status404NotFound);
        }

        if (me is null)
        {
            var refusal = room.Bars(credential?.PlayerId, DeviceCookie.Read(context))
                ? $"You were removed from room {room.Room.Code}."
                : RoomService.NotInRoom(room.Room.Code).Message;
            return Results.Text(refusal, statusCode: StatusCodes.Status403Forbidden);
        }

        // A few tabs per player (the newest takes the oldest one's place), and a cap per address.
        var lease = limits.TryOpen(room.Room.Code, me.PlayerId, PlayerCookie.ClientAddress(context));
        if (lease is null)
        {
            var refused = new RoomError(ErrorCodes.RateLimit, "Too many live connections from your network. Close some DiceRoller tabs, or try again later.")
            {
                RetryAfter = live.Value.StreamRetryAfter,
            };
            HtmlResults.SetRetryAfter(context, refused);
            return Results.Text(refused.Message, statusCode: ErrorStatus.For(refused.Code));
        }

        context.Response.RegisterForDispose(lease);
        var after = Math.Max(ParseSequence(context.Request.Headers["Last-Event-ID"]), ParseSequence(context.Request.Query["after"]));
        var token = antiforgery.GetTokens(context).RequestToken;
        var session = new LiveSession(context, room, me, token, after, store, door, rollLog, publisher, broadcaster, time, live.Value, roomOptions.Value,
            logger, lease.Replaced, context.RequestServices.GetService<Initiative.InitiativeService>());
        context.Response.Headers.CacheControl = "no-cache, no-transform";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        // Streams end when the client goes or the app stops (so shutdown is not held up; pages reconnect elsewhere).
        var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(ended);
        return new SseStreamResult(session.RunAsync(ended.Token), live.Value.StalledStreamTimeout, time);
    }

    private static long ParseSequence(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
