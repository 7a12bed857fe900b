using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>The room a request is about and the member who sent it, or the error page/fragment to answer with.</summary>
public sealed record MemberRequest(RoomSnapshot? Room, Player? Me, IResult? Refusal)
{
    /// <summary>
    /// 404 for an unknown room, 403 (NOT_IN_ROOM) for a browser that is not one of its players; both count against the
    /// address's guessing budget (<see cref="CountLookAsync"/>), and past it the answer is the same 429 for any code.
    /// </summary>
    public static async Task<MemberRequest> ResolveAsync(HttpContext context, string code, RoomService rooms, bool fragment)
    {
        var resolved = await ResolveMemberAsync(context, code, rooms);
        return resolved.Error is not { } error ? new(resolved.Room, resolved.Me, null)
            : fragment ? new(resolved.Room, null, HtmlResults.ErrorFragment(error))
            : new(resolved.Room, null, HtmlResults.ErrorPage(error, resolved.Title, resolved.Room is null ? "/" : $"/rooms/{resolved.Room.Room.Code}",
                resolved.Room is null ? "Back to the start" : "Go to the room"));
    }

    /// <summary>
    /// The same refusals for a JSON endpoint (<c>log.json</c>): the error's status with <c>{"error", "code"}</c> (and
    /// <c>retry_after</c> with <c>Retry-After</c> when too many tries), as the endpoint's other errors.
    /// </summary>
    public static async Task<MemberRequest> ResolveJsonAsync(HttpContext context, string code, RoomService rooms)
    {
        var resolved = await ResolveMemberAsync(context, code, rooms);
        if (resolved.Error is not { } error)
        {
            return new(resolved.Room, resolved.Me, null);
        }

        HtmlResults.SetRetryAfter(context, error);
        var body = error.RetryAfter is { } wait
            ? (object)new { error = error.Message, code = error.Code, retry_after = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) }
            : new { error = error.Message, code = error.Code };
        return new(resolved.Room, null, Results.Json(body, statusCode: ErrorStatus.For(error.Code)));
    }

    private static async Task<(RoomSnapshot? Room, Player? Me, RoomError? Error, string Title)> ResolveMemberAsync(HttpContext context, string code, RoomService rooms)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rooms);
        var room = await rooms.FindAsync(code, context.RequestAborted);
        if (room is not null && RoomService.Authenticate(room, PlayerCookie.Read(context, room.Room.Code)) is { } member)
        {
            return (room, member, null, "");
        }

        if (await CountLookAsync(context, rooms) is { } tooMany)
        {
            return (null, null, tooMany, "Too many tries");
        }

        if (room is null)
        {
            return (null, null, RoomService.RoomNotFound(code.ToUpperInvariant()), "Room not found");
        }

        var refusal = room.Bars(PlayerCookie.Read(context, room.Room.Code)?.PlayerId, DeviceCookie.Read(context))
            ? new RoomError(ErrorCodes.Kicked, $"You were removed from room {room.Room.Code}.")
            : RoomService.NotInRoom(room.Room.Code);
        return (room, null, refusal, "Join the room first");
    }

    /// <summary>
    /// Counts a request by someone who is not a player of the room it names, and whose answer could tell an existing
    /// room from a missing one, against the per-address budget it shares with joins. Null while within the budget.
    /// </summary>
    public static Task<RoomError?> CountLookAsync(HttpContext context, RoomService rooms)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rooms);
        return rooms.CountLookAsync(PlayerCookie.ClientAddress(context), context.RequestAborted);
    }
}
