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
        return app;
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
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(live.Value.StreamRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Results.Text("Too many live connections from your network. Close some DiceRoller tabs, or try again later.",
                statusCode: StatusCodes.Status429TooManyRequests);
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
