using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Rooms;

public sealed class RoomOptions
{
    public const string Section = "Rooms";

    [Range(1, 64)]
    public int MaxPlayers { get; set; } = 8;

    public TimeSpan OpenRoomTtl { get; set; } = TimeSpan.FromSeconds(18000);

    public TimeSpan DmLedRoomTtl { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>How many of the most recent rolls a room keeps (at least 500).</summary>
    [Range(500, 100_000)]
    public int HistoryLimit { get; set; } = 1000;

    /// <summary>How many rolls the room page renders at first; earlier ones load on demand.</summary>
    [Range(1, 500)]
    public int FeedPageSize { get; set; } = 50;

    public int TtlSecondsFor(RoomMode mode) => (int)Math.Ceiling((mode == RoomMode.DmLed ? DmLedRoomTtl : OpenRoomTtl).TotalSeconds);
}
