namespace DiceRoller.Rooms;

/// <summary>A room's settings and rules state (not its players or rolls).</summary>
public sealed record Room(
    string Code,
    RoomMode Mode,
    string CreatorPlayerId,
    string? DmPlayerId,
    int? Dc,
    long CreatedAt,
    long LastActivity,
    int TtlSeconds);

/// <summary>A member of a room. <see cref="SecretHash"/> is the SHA-256 of the player's cookie secret.</summary>
public sealed record Player(
    string PlayerId,
    string Name,
    long JoinedAt,
    string SessionHash,
    string SecretHash);

/// <summary>A room together with its players, as read in one go from the store.</summary>
public sealed record RoomSnapshot(Room Room, IReadOnlyList<Player> Players)
{
    public Player? FindPlayer(string playerId) => Players.FirstOrDefault(p => p.PlayerId == playerId);

    public bool IsDm(string playerId) => Room.Mode == RoomMode.DmLed && Room.DmPlayerId == playerId;
}
