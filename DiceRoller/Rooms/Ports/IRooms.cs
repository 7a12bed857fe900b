namespace DiceRoller.Rooms;

/// <summary>What happened when a player left a room of their own accord.</summary>
public enum LeaveOutcome
{
    Left,
    /// <summary>They were the last member: the room is deleted.</summary>
    RoomClosed,
    RoomNotFound,
    PlayerNotFound,
    /// <summary>The DM of a DM-led room with other members must hand the DM role over first.</summary>
    DmMustHandOver,
}

/// <summary>The outcome of a leave, and who holds the creator's rights afterwards when the creator left.</summary>
public sealed record LeaveResult(LeaveOutcome Outcome, string? NewCreatorPlayerId = null);

public enum HandOverOutcome
{
    HandedOver,
    RoomNotFound,
    /// <summary>The room is not DM-led, or the one handing over is no longer its DM.</summary>
    NotDm,
    PlayerNotFound,
}

public enum PromoteOutcome
{
    Promoted,
    RoomNotFound,
    AlreadyDmLed,
    PlayerNotFound,
}

/// <summary>
/// The rooms themselves: create, read, the DM's and admin's changes, leaving, presence. Part of <see cref="IRoomStore"/>;
/// implementations must be safe under concurrent callers on several app instances, and every write refreshes the room's
/// time-to-live.
/// </summary>
public interface IRooms
{
    /// <summary>Creates the room with its creator as first player; false if the code is already live.</summary>
    Task<bool> TryCreateAsync(Room room, Player creator, CancellationToken cancellationToken = default);

    /// <summary>The room and its players, or null when there is no such live room.</summary>
    Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>Sets (or, with null, clears) the room's DC; false when the room is gone.</summary>
    Task<bool> SetDcAsync(string code, int? dc, long now, CancellationToken cancellationToken = default);

    /// <summary>Turns an open room DM-led with <paramref name="change"/>'s DM, atomically, and sets the new TTL.</summary>
    Task<PromoteOutcome> PromoteAsync(string code, ModeChange change, int ttlSeconds, long now, CancellationToken cancellationToken = default);

    /// <summary>Removes a player and bars their session and id from the room; false when they were not in it.</summary>
    Task<bool> KickAsync(string code, Player player, long now, CancellationToken cancellationToken = default);

    /// <summary>Deletes the room and everything in it.</summary>
    Task DeleteAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a player who leaves, atomically: frees their seat and name, forgets their pages and their
    /// continue link. A leaving creator passes the creator's rights on (to the DM of a DM-led room, else to
    /// the longest-present member); the DM of a DM-led room with others in it must hand over first; the
    /// last member leaving deletes the room.
    /// </summary>
    Task<LeaveResult> LeaveAsync(string code, Player player, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="change"/>'s DM the DM of a DM-led room, if <c>change.InitiatedBy</c> is still its DM and
    /// the new DM is a member; records the change in the room's mode history.
    /// </summary>
    Task<HandOverOutcome> HandOverDmAsync(string code, ModeChange change, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a member's continue-link seal (see <see cref="ContinueLink"/>); with <paramref name="replace"/> false only
    /// when they have none yet. False when nothing was stored (no such member, or one exists and was kept).
    /// </summary>
    Task<bool> SetContinueSealAsync(string code, string playerId, string seal, bool replace, CancellationToken cancellationToken = default);

    /// <summary>Records that one of a player's pages (<paramref name="streamId"/>) is open until <paramref name="expiresAt"/>, unless refreshed.</summary>
    Task SetPresenceAsync(string code, string playerId, string streamId, long expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Forgets one open page; returns whether the player still has another open page.</summary>
    Task<bool> RemovePresenceAsync(string code, string playerId, string streamId, long now, CancellationToken cancellationToken = default);

    /// <summary>Checks that the store answers (for health checks).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}
