using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Rolls;

/// <summary>
/// What an initiative roll (the roll form's <c>initiative=1</c>) needs of the room's encounter: an ordinary roll that also takes
/// a place in the order. Declared here for the roll endpoint, implemented by the initiative tracker (Initiative/).
/// </summary>
public interface IInitiativeRolls
{
    /// <summary>
    /// Before any dice: holds the player's place in the order and answers the form to roll (a d20 with the pad's modifier and
    /// advantage), or why not (no encounter, in the order already, another initiative roll of theirs being rolled, a full order).
    /// Every prepared form must be finished (<see cref="FinishAsync"/>) with what its roll gave.
    /// </summary>
    Task<Result<RollForm>> PrepareAsync(RoomSnapshot room, Player player, RollForm form, CancellationToken cancellationToken = default);

    /// <summary>
    /// After the roll of a prepared form: a roll made (in the room's history) takes the place held for it (ties rolled off); a
    /// refused one gives the place back.
    /// </summary>
    Task FinishAsync(RoomSnapshot room, Player player, RollForm form, Result<Roll> roll, CancellationToken cancellationToken = default);

    /// <summary>A hidden roll was revealed: an entry it gave a total shows it to everyone.</summary>
    Task RevealedAsync(RoomSnapshot room, Roll roll, CancellationToken cancellationToken = default);
}
