using System.Globalization;
using DiceRoller.Rooms;
using DiceRoller.Shared;
using DiceRoller.Sharing;
using Microsoft.Extensions.Options;

namespace DiceRoller.Live;

/// <summary>
/// The stream overlay: <c>GET /rooms/{code}/overlay/{token}</c> (the page) and <c>.../events</c> (its live stream). The token is
/// the room's secret overlay token; a wrong one answers exactly as an unknown room does (404, counted against the address's
/// guessing budget), and a renewed one ends at once (its page 404s, its open stream is told and closed).
/// </summary>
public static class OverlayEndpoints
{
    public static IEndpointRouteBuilder MapOverlay(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rooms/{code}/overlay/{token}", Page);
        app.MapGet("/rooms/{code}/overlay/{token}/events", Stream);
        return app;
    }

    private static async Task<IResult> Page(string code, string token, string? theme, string? size, HttpContext context, RoomService rooms,
        SharingService sharing, IRollLog rollLog)
    {
        var room = await FindAsync(code, token, context, rooms, sharing);
        if (room.Refusal is { } refusal)
        {
            return HtmlResults.ErrorPage(refusal, refusal.Code == ErrorCodes.RateLimit ? "Too many tries" : "Room not found");
        }

        var look = OverlayLook.Parse(theme, size);
        var roomCode = room.Room!.Room.Code;
        var recent = await rollLog.GetRollsBeforeAsync(roomCode, long.MaxValue, 100, context.RequestAborted);
        var last = recent.Count > 0 ? recent[0].Sequence : 0;
        var shown = recent.Where(r => r.IsVisibleTo(null)).Take(OverlayLook.Shown).ToList();
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Robots-Tag"] = "noindex";
        var stream = $"{SharingService.OverlayPath(roomCode, token)}/events?after={last.ToString(CultureInfo.InvariantCulture)}&theme={look.Theme}&size={look.Size}";
        return Results.RazorSlice<OverlayPage, OverlayPageModel>(new OverlayPageModel(roomCode, shown, stream, look));
    }

    private static async Task<IResult> Stream(string code, string token, string? theme, string? size, HttpContext context, RoomService rooms,
        SharingService sharing, IRollLog rollLog, RoomBroadcaster broadcaster, StreamLimits limits, TimeProvider time, IOptions<LiveOptions> live,
        IHostApplicationLifetime lifetime)
    {
        var room = await FindAsync(code, token, context, rooms, sharing);
        if (room.Refusal is { } refusal)
        {
            HtmlResults.SetRetryAfter(context, refusal);
            return Results.Text(refusal.Message, statusCode: ErrorStatus.For(refusal.Code));
        }

        var roomCode = room.Room!.Room.Code;
        var lease = limits.TryOpen(roomCode, "overlay", PlayerCookie.ClientAddress(context));
        if (lease is null)
        {
            var tooMany = new RoomError(ErrorCodes.RateLimit, "Too many live connections from your network.") { RetryAfter = live.Value.StreamRetryAfter };
            HtmlResults.SetRetryAfter(context, tooMany);
            return Results.Text(tooMany.Message, statusCode: ErrorStatus.For(tooMany.Code));
        }

        context.Response.RegisterForDispose(lease);
        var after = Math.Max(ParseSequence(context.Request.Headers["Last-Event-ID"]), ParseSequence(context.Request.Query["after"]));
        var session = new OverlaySession(roomCode, token, after, rollLog, sharing, broadcaster, time, live.Value, OverlayLook.Parse(theme, size));
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(ended);
        return new SseStreamResult(session.RunAsync(ended.Token), live.Value.StalledStreamTimeout, time);
    }

    /// <summary>The room when the token is its overlay token; else the same refusal as for an unknown room (or too many tries).</summary>
    private static async Task<(RoomSnapshot? Room, RoomError? Refusal)> FindAsync(string code, string token, HttpContext context, RoomService rooms,
        SharingService sharing)
    {
        var room = await rooms.FindAsync(code, context.RequestAborted);
        if (room is not null && await sharing.IsOverlayTokenAsync(room.Room.Code, token, context.RequestAborted))
        {
            return (room, null);
        }

        return await MemberRequest.CountLookAsync(context, rooms) is { } tooMany
            ? (null, tooMany)
            : (null, RoomService.RoomNotFound(code.ToUpperInvariant()));
    }

    private static long ParseSequence(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
