using DiceRoller.Rooms.Players;
using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>
/// A member's own identity: leave the room, renew the private continue link, and the link itself (a GET shows a
/// confirm button so chat-app link previews cannot use it; the POST signs the device in as that player).
/// </summary>
public static class MembershipEndpoints
{
    public static IEndpointRouteBuilder MapMembership(this IEndpointRouteBuilder app)
    {
        app.MapGet("/rooms/{code}/continue/{token}", ConfirmContinue);
        var member = app.MapMemberForms("/rooms/{code}");
        member.MapPost("/leave", Leave);
        member.MapPost("/continue", Renew);
        app.MapForms("/rooms/{code}").MapPost("/continue/{token}", Continue);
        return app;
    }

    private static Task<IResult> Leave(HttpContext context, MembershipService membership, IRoomPage pages) =>
        MemberActions.RunAsync(context, pages, async (room, me) =>
        {
            var result = await membership.LeaveAsync(room, me, context.RequestAborted);
            if (result.Error is null)
            {
                PlayerCookie.Clear(context, room.Room.Code);
                LeftFlash.Set(context, room.Room.Code);
            }

            return result;
        }, (room, _, result) => Task.FromResult(Left(context, room, result)), _ => "/");

    /// <summary>htmx: navigate the whole page home (the room page is no longer this browser's); or the error.</summary>
    private static IResult Left(HttpContext context, RoomSnapshot room, Result<LeaveResult> result)
    {
        if (result.Error is { } error)
        {
            return HtmlResults.ErrorFragment(error);
        }

        context.Response.Headers["HX-Redirect"] = "/";
        return Results.RazorSlice<_ActionStatus, string>($"You left room {room.Room.Code}.");
    }

    private static async Task<IResult> Renew(HttpContext context, RoomService rooms, MembershipService membership, IRoomPage pages)
    {
        var fragment = HtmlResults.WantsFragment(context);
        var member = RoomMember.Of(context);
        var room = member.Room;
        var result = await membership.RenewAsync(room, PlayerCookie.Read(context, room.Room.Code)!, context.RequestAborted);
        if (result.Error is { } error)
        {
            return fragment ? HtmlResults.ErrorFragment(error) : HtmlResults.ErrorPage(error);
        }

        if (!fragment)
        {
            return RoomsEndpoints.SeeOther(context, $"/rooms/{room.Room.Code}#continue-panel");
        }

        var fresh = await rooms.FindAsync(room.Room.Code, context.RequestAborted) ?? room;
        var panel = await pages.ContinuePanelAsync(context, fresh, HtmlResults.FormToken(context), renewed: true);
        context.Response.Headers.CacheControl = "no-store";
        return Results.RazorSlice<_ContinuePanel, ContinuePanelModel>(panel!);
    }

    private static async Task<IResult> ConfirmContinue(string code, string token, HttpContext context, RoomService rooms)
    {
        var resolved = await ResolveAsync(code, token, context, rooms);
        if (resolved.Refusal is not null)
        {
            return resolved.Refusal;
        }

        var (room, player) = (resolved.Room!, resolved.Player!);
        var current = RoomService.Authenticate(room, PlayerCookie.Read(context, room.Room.Code));
        return Results.RazorSlice<ContinuePage, ContinuePageModel>(new ContinuePageModel(room.Room.Code, player.Name,
            MembershipService.PathFor(room.Room.Code, token), HtmlResults.FormToken(context), current?.PlayerId == player.PlayerId)
        {
            CurrentName = current?.PlayerId == player.PlayerId ? null : current?.Name,
        });
    }

    private static async Task<IResult> Continue(string code, string token, HttpContext context, RoomService rooms, ILoggerFactory loggers)
    {
        var resolved = await ResolveAsync(code, token, context, rooms);
        if (resolved.Refusal is not null)
        {
            return resolved.Refusal;
        }

        var room = resolved.Room!;
        PlayerCookie.Write(context, new Membership(room.Room.Code, resolved.Player!, resolved.Credential!));
        loggers.CreateLogger("DiceRoller.Rooms").LogInformation("{PlayerId} continued in {RoomCode} on another device",
            resolved.Player!.PlayerId, room.Room.Code);
        return RoomsEndpoints.SeeOther(context, $"/rooms/{room.Room.Code}");
    }

    private sealed record ContinueRequest(RoomSnapshot? Room, Player? Player, PlayerCredential? Credential, IResult? Refusal);

    /// <summary>The room and the member a continue link names; an error page (ROOM_NOT_FOUND, INVALID_TOKEN) otherwise.</summary>
    private static async Task<ContinueRequest> ResolveAsync(string code, string token, HttpContext context, RoomService rooms)
    {
        // The URL is a secret: keep it out of caches, search engines and the Referer of any link followed from here.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        context.Response.Headers["X-Robots-Tag"] = "noindex";
        var room = await rooms.FindAsync(code, context.RequestAborted);
        var resolved = room is null ? default : MembershipService.Resolve(room, token);

        // A working link is a secret only its player has; any other answer tells whether the room exists, so for
        // a non-member it counts against the address's guessing budget.
        var works = room is not null && resolved.Error is null;
        var member = room is not null && RoomService.Authenticate(room, PlayerCookie.Read(context, room.Room.Code)) is not null;
        if (!works && !member && await MemberRequest.CountLookAsync(context, rooms) is { } tooMany)
        {
            return new(null, null, null, HtmlResults.ErrorPage(tooMany, "Too many tries"));
        }

        if (room is null)
        {
            return new(null, null, null, HtmlResults.ErrorPage(RoomService.RoomNotFound(code.ToUpperInvariant()), "Room not found"));
        }

        return resolved.Error is { } error
            ? new(room, null, null, HtmlResults.ErrorPage(error, "This link does not work", $"/rooms/{room.Room.Code}", "Join the room"))
            : new(room, resolved.Value.Player, resolved.Value.Credential, null);
    }
}
