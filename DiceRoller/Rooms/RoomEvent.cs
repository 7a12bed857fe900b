namespace DiceRoller.Rooms;

/// <summary>
/// Something that happened in a room, fanned out to every open room page. Events that belong to the
/// room's ordered history (rolls) carry its <see cref="Sequence"/>; others carry 0.
/// </summary>
public sealed record RoomEvent(string RoomCode, string Type, long Sequence, Roll? Roll = null, Player? Player = null)
{
    public const string RollType = "roll";
    public const string PlayerJoinedType = "player-joined";

    public static RoomEvent ForRoll(Roll roll) => new(roll.RoomCode, RollType, roll.Sequence, Roll: roll);

    public static RoomEvent ForPlayerJoined(string roomCode, Player player) => new(roomCode, PlayerJoinedType, 0, Player: player);
}
