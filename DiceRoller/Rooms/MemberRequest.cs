using DiceRoller.Shared;

namespace DiceRoller.Rooms;

/// <summary>The room a request is about and the member who sent it, or the error page/fragment to answer with.</summary>
public sealed record MemberRequest(RoomSnapshot? Room, Player? Me, IResult? Refusal)
{
    /// <summary>404 for an unknown room, 403 (NOT_IN_ROOM) for a browser that is not one of its players.</summary>
    public static async Task<MemberRequest> ResolveAsync(HttpContext context, string code, RoomService rooms, bool fragment)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rooms);
        var room = await rooms.FindAsync(code, context.RequestAborted);
        if (room is null)
        {
            var notFound = RoomService.RoomNotFound(code.ToUpperInvariant());
            return new(null, null, fragment ? HtmlResults.ErrorFragment(notFound) : HtmlResults.ErrorPage(notFound, "Room not found"));
        }

        var me = RoomService.Authenticate(room, PlayerCookie.Read(context, room.Room.Code));
        if (me is null)
        {
            var refusal = room.Bars(PlayerCookie.Read(context, room.Room.Code)?.PlayerId, DeviceCookie.Read(context))
                ? new RoomError(ErrorCodes.Kicked, $"You were removed from room {room.Room.Code}.")
                : RoomService.NotInRoom(room.Room.Code);
            return new(room, null, fragment
                ? HtmlResults.ErrorFragment(refusal)
                : HtmlResults.ErrorPage(refusal, "Join the room first", $"/rooms/{room.Room.Code}", "Go to the room"));
        }

        return new(room, me, null);
    }
}
