using DiceRoller.Rooms;

namespace DiceRoller.Live;

/// <summary>A room-wide notice: the room is about to expire, has closed, or the viewer was removed.</summary>
public sealed record NoticeModel(string Kind, string Message, int? SecondsRemaining = null, string? Reason = null)
{
    public static NoticeModel Expiring(int seconds) => new("room-expiring",
        seconds >= 60
            ? $"This room closes in {seconds / 60} minutes unless someone rolls or acts."
            : $"This room closes in {seconds} seconds unless someone rolls or acts.", seconds);

    public static NoticeModel Closed(string reason) => new("room-closed", reason switch
    {
        RoomEvent.Reasons.Expired => "This room has closed after a long quiet spell. Rolls keep their permalinks.",
        _ => "The room's creator closed this room. Rolls keep their permalinks.",
    }, Reason: reason);

    public static NoticeModel Left() => new("room-left", "You left this room. To come back, join it again with its code.", Reason: RoomEvent.Reasons.Left);

    public static NoticeModel Kicked() => new("player-kicked", "You were removed from this room.", Reason: RoomEvent.Reasons.Kicked);
}
