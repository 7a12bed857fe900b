namespace DiceRoller.Rooms;

/// <summary>
/// Room reads kept a few seconds on this app instance, for the roll post only (the member form sent most): it saves the roll
/// its room read. What a roll must not get wrong from an old read the store checks again in the roll's own atomic step
/// (<see cref="RollAttempt.SecretHash"/>: still a member with that secret, the DM for a hidden roll, the room still there);
/// a refusal there makes the caller read the room afresh (<see cref="Forget"/>). Every other member form reads the room fresh.
/// </summary>
public interface IRecentRooms
{
    /// <summary>The room as read at most the configured time ago on this instance (read now if not), or null when it is gone.</summary>
    Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>Drops the room's kept read (the room changed, or a roll was refused over it).</summary>
    void Forget(string code);
}
