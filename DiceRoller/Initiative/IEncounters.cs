namespace DiceRoller.Initiative;

/// <summary>The room's encounter as stored, with the version a change must name (see <see cref="IEncounters.SaveEncounterAsync"/>).</summary>
/// <param name="Encounter">The running encounter; null when none runs.</param>
/// <param name="Version">Counts every saved change of the room's encounter (0 before the first); never goes back, not even when one ends.</param>
public sealed record EncounterState(Encounter? Encounter, long Version);

public enum EncounterSave
{
    Saved,
    /// <summary>Someone else changed the encounter since it was read: read again, apply the change again.</summary>
    Stale,
    RoomNotFound,
}

/// <summary>
/// The room's initiative encounter in the room store (part of the room: it lives and expires with it). Changes are a compare
/// and set on <see cref="EncounterState.Version"/>, so two DMs' tabs or app instances never lose one another's change.
/// </summary>
public interface IEncounters
{
    /// <summary>The room's encounter and its version; null when the room is gone.</summary>
    Task<EncounterState?> GetEncounterAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores <paramref name="encounter"/> (null ends it) if the room's encounter is still at <paramref name="expectedVersion"/>,
    /// making the version one more, and counts as room activity (its time-to-live is refreshed).
    /// </summary>
    Task<EncounterSave> SaveEncounterAsync(string code, long expectedVersion, Encounter? encounter, long now, CancellationToken cancellationToken = default);
}
