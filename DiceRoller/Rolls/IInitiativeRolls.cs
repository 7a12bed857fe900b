using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Rolls;

/// <summary>
/// What an initiative roll (the roll form's <c>initiative=1</c>) needs of the room's encounter: an ordinary roll that also takes
/// a place in the order. Declared here for the roll endpoint, implemented by the initiative tracker (Initiative/).
/// </summary>
public interface IInitiativeRolls
{
    /// <summary>Before any dice: the form to roll (a d20 with the pad's modifier and advantage), or why not (no encounter, rolled already).</summary>
    Task<Result<RollForm>> PrepareAsync(RoomSnapshot room, Player player, RollForm form, CancellationToken cancellationToken = default);

    /// <summary>After the roll is in the room's history: it takes its place in the order (ties rolled off).</summary>
    Task EnterAsync(RoomSnapshot room, Player player, Roll roll, CancellationToken cancellationToken = default);

    /// <summary>A hidden roll was revealed: an entry it gave a total shows it to everyone.</summary>
    Task RevealedAsync(RoomSnapshot room, Roll roll, CancellationToken cancellationToken = default);
}
