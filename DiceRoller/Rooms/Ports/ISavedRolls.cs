namespace DiceRoller.Rooms;

/// <summary>
/// A roll a player saved on the pad ("Longsword: 1d20+5"): rolled exactly as saved, whatever the pad shows.
/// <see cref="Advantage"/> is <c>none</c>, <c>advantage</c> or <c>disadvantage</c>.
/// </summary>
public sealed record SavedRoll(string Name, string Formula, string Advantage = "none", bool Hidden = false);

public enum SaveRollOutcome
{
    /// <summary>Added at the end, or (same name, case-insensitive) replaced in its place.</summary>
    Saved,
    /// <summary>The player holds the most saved rolls allowed already and the name is new: nothing changed.</summary>
    Full,
    /// <summary>The room is gone or does not hold the player: nothing changed.</summary>
    NotMember,
}

/// <summary>
/// The saved rolls of each member, kept with the room (so they follow the seat to every device, continue link included):
/// they live as long as the room and go when the member leaves or is kicked or the room closes. Part of
/// <see cref="IRoomStore"/>; a change refreshes the room's time-to-live.
/// </summary>
public interface ISavedRolls
{
    /// <summary>The member's saved rolls in the order saved; empty when none, or the room or member is gone.</summary>
    Task<IReadOnlyList<SavedRoll>> GetSavedRollsAsync(string code, string playerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a roll atomically: a name the member saved already (case-insensitive) is replaced in its place, a new one added at
    /// the end unless they hold <paramref name="max"/> already (<see cref="SaveRollOutcome.Full"/>).
    /// </summary>
    Task<SaveRollOutcome> SaveRollAsync(string code, string playerId, SavedRoll roll, int max, long now, CancellationToken cancellationToken = default);

    /// <summary>Removes the member's saved roll of that name (case-insensitive); false when there was none.</summary>
    Task<bool> RemoveSavedRollAsync(string code, string playerId, string name, long now, CancellationToken cancellationToken = default);
}
