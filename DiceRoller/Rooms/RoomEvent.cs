namespace DiceRoller.Rooms;

/// <summary>
/// Something that happened in a room, fanned out to every open room page. Events that belong to the
/// room's ordered history (rolls) carry its <see cref="Sequence"/>; others carry 0.
/// </summary>
public sealed record RoomEvent(
    string RoomCode,
    string Type,
    long Sequence,
    Roll? Roll = null,
    Player? Player = null,
    string? Reason = null,
    int? Dc = null,
    ModeChange? ModeChange = null,
    string? Commitment = null)
{
    public const string RollType = "roll";
    public const string RollRevealedType = "roll-revealed";
    public const string PlayerJoinedType = "player-joined";
    public const string PlayerLeftType = "player-left";
    public const string PlayerKickedType = "player-kicked";
    public const string DcUpdatedType = "dc-updated";
    public const string ModeChangedType = "mode-changed";
    public const string RoomExpiringType = "room-expiring";
    public const string RoomClosedType = "room-closed";

    /// <summary>Sent only to the pages of a player who left the room (others get player-left with reason "left").</summary>
    public const string RoomLeftType = "room-left";

    /// <summary>A player's role changed without a mode change (they now hold the creator's rights); sent to that player's pages.</summary>
    public const string RolesChangedType = "roles-changed";
    /// <summary>Someone knocked, a knock was answered, or the room was locked or unlocked: the door panel is rendered again per viewer.</summary>
    public const string DoorChangedType = "door-changed";

    /// <summary>The room's seed was revealed and a new one committed: every page shows the new commitment.</summary>
    public const string SeedRotatedType = "seed-rotated";

    /// <summary>The initiative tracker changed (an encounter started or ended, an entry came, moved or went, the turn moved): rendered again per viewer.</summary>
    public const string InitiativeType = "initiative";

    public static class Reasons
    {
        public const string Disconnect = "disconnect";
        public const string Kicked = "kicked";
        public const string RoomClosed = "room_closed";
        public const string Expired = "expired";
        public const string CreatorClosed = "creator_closed";
        public const string Left = "left";
    }

    public static RoomEvent ForRoll(Roll roll) => new(roll.RoomCode, RollType, roll.Sequence, Roll: roll);

    public static RoomEvent ForReveal(Roll roll) => new(roll.RoomCode, RollRevealedType, 0, Roll: roll);

    public static RoomEvent ForPlayerJoined(string roomCode, Player player) => new(roomCode, PlayerJoinedType, 0, Player: player);

    public static RoomEvent ForPlayerLeft(string roomCode, Player player, string reason) => new(roomCode, PlayerLeftType, 0, Player: player, Reason: reason);

    public static RoomEvent ForPlayerKicked(string roomCode, Player player) => new(roomCode, PlayerKickedType, 0, Player: player, Reason: Reasons.Kicked);

    public static RoomEvent ForDc(string roomCode, int? dc) => new(roomCode, DcUpdatedType, 0, Dc: dc);

    public static RoomEvent ForModeChange(string roomCode, ModeChange change) => new(roomCode, ModeChangedType, 0, ModeChange: change);

    /// <summary>The creator's rights passed to <paramref name="heir"/> (the creator left): their pages reload to show the controls.</summary>
    public static RoomEvent ForCreatorChanged(string roomCode, Player heir) => new(roomCode, RolesChangedType, 0, Player: heir);
    public static RoomEvent ForSeedRotated(string roomCode, string commitment) => new(roomCode, SeedRotatedType, 0, Commitment: commitment);

    public static RoomEvent ForDoor(string roomCode) => new(roomCode, DoorChangedType, 0);

    public static RoomEvent ForInitiative(string roomCode) => new(roomCode, InitiativeType, 0);

    public static RoomEvent ForClosed(string roomCode, string reason) => new(roomCode, RoomClosedType, 0, Reason: reason);
}
