using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>The room a request is about and the member who sent it, or the error page/fragment to answer with.</summary>
public sealed record MemberRequest(RoomSnapshot? Room, Player? Me, IResult? Refusal)
{
    /// <summary>
    /// 404 for an unknown room, 403 (NOT_IN_ROOM) for a browser that is not one of its players; both count against the
    /// address's guessing budget (<see cref="CountLookAsync"/>), and past it the answer is the same 429 for any code.
    /// </summary>
    public static async Task<MemberRequest> ResolveAsync(HttpContext context, string code, RoomService rooms, bool fragment, bool recent = false)
    {
        var resolved = await ResolveMemberAsync(context, code, rooms, recent);
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

        return new(resolved.Room, null, HtmlResults.JsonError(context, error));
    }

    private static async Task<(RoomSnapshot? Room, Player? Me, RoomError? Error, string Title)> ResolveMemberAsync(HttpContext context, string code,
        RoomService rooms, bool recent = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rooms);
        var room = recent ? await rooms.FindRecentAsync(code, context.RequestAborted) : await rooms.FindAsync(code, context.RequestAborted);
        if (recent && room is not null && RoomService.Authenticate(room, PlayerCookie.Read(context, room.Room.Code)) is null)
        {
            // A refusal is never given over a kept read (a missing room was just read): the room is read afresh (the player
            // may have been admitted since).
            rooms.ForgetRecent(room.Room.Code);
            room = await rooms.FindAsync(code, context.RequestAborted);
        }

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

/// <summary>The room and the member a request in a member group comes from, resolved once by <see cref="MemberFilter"/>.</summary>
public sealed record RoomMember(RoomSnapshot Room, Player Me)
{
    /// <summary>The member <see cref="MemberFilter"/> resolved for this request (only in a group made by <c>MapMemberForms</c>).</summary>
    public static RoomMember Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[typeof(RoomMember)] as RoomMember
            ?? throw new InvalidOperationException($"{context.Request.Path} is not in a member group: no member was resolved.");
    }
}

/// <summary>
/// The member preamble of every member form, once for its route group: resolves the room (<c>{code}</c>) and the member who
/// sent the request (<see cref="MemberRequest.ResolveAsync"/>); a refusal (404, 403, 429) is the answer and the handler does
/// not run. Runs after the group's antiforgery check, as the handlers' own preamble did.
/// </summary>
public sealed class MemberFilter(RoomService rooms) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var code = http.Request.RouteValues["code"] as string ?? "";
        var recent = http.GetEndpoint()?.Metadata.GetMetadata<RecentRoomRead>() is not null;
        var member = await MemberRequest.ResolveAsync(http, code, rooms, HtmlResults.WantsFragment(http), recent);
        if (member.Refusal is not null)
        {
            return member.Refusal;
        }

        http.Items[typeof(RoomMember)] = new RoomMember(member.Room!, member.Me!);
        return await next(context);
    }
}

/// <summary>
/// Endpoint metadata: this member form may resolve its member over the room as read a few seconds ago on this instance
/// (<see cref="RoomService.FindRecentAsync"/>), because what it does checks the member again in its store's atomic step (the roll
/// post: <see cref="RollAttempt.SecretHash"/>). A refusal is never given over such a read.
/// </summary>
public sealed class RecentRoomRead
{
    public static readonly RecentRoomRead Instance = new();

    private RecentRoomRead()
    {
    }
}

public static class MemberGroups
{
    /// <summary>
    /// A group of a member's form posts under <paramref name="prefix"/> (which holds <c>{code}</c>): antiforgery first, then
    /// <see cref="MemberFilter"/>; each handler reads its member with <see cref="RoomMember.Of"/>.
    /// </summary>
    public static RouteGroupBuilder MapMemberForms(this IEndpointRouteBuilder app, string prefix) =>
        app.MapForms(prefix).AddEndpointFilter<MemberFilter>();
}
