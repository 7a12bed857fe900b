using DiceRoller.Rooms;

namespace DiceRoller.Rolls;

/// <summary>
/// Where a roll goes after this app instance announced it to the room (a new roll, or a hidden one revealed): sharing outside
/// the app (Sharing/, the room's Discord channel). Only the instance that made the roll or the reveal calls it, so each is
/// shared once. It must return at once and never throw: sharing is off the roll's critical path.
/// </summary>
public interface IRollOutbox
{
    /// <summary>
    /// <paramref name="roll"/> was announced in <paramref name="room"/>, as the roll read it (a read kept a few seconds on this
    /// instance, <see cref="IRecentRooms"/>: <see cref="RoomSnapshot.SharesRolls"/> says whether there is anything to share).
    /// </summary>
    void Announced(RoomSnapshot room, Roll roll);
}
