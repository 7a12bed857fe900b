using DiceRoller.Rooms;

namespace DiceRoller.Live;

/// <summary>A room-wide notice: the room is about to expire, has closed, the viewer was removed, or this page's stream was replaced.</summary>
public sealed record NoticeModel(string Kind, string Message, int? SecondsRemaining = null, string? Reason = null)
{
    /// <summary>The SSE event (and notice kind) of a stream closed because its player opened too many tabs.</summary>
    public const string ReplacedType = "stream-replaced";

    /// <summary>Where the notice's link goes (the home page when null), and what it says.</summary>
    public string? LinkUrl { get; init; }

    public string? LinkText { get; init; }

    public static NoticeModel Replaced(string roomCode) => new(ReplacedType,
        "This room is open in too many tabs, so live updates stopped in this one (your newest tabs stay live).")
    {
        LinkUrl = $"/rooms/{roomCode}",
        LinkText = "Use the room in this tab",
    };

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
