namespace DiceRoller.Rooms;

public enum JoinOutcome
{
    Joined,
    RoomNotFound,
    RoomFull,
    NameTaken,
}

/// <summary>
/// Where rooms live: Valkey in production, an in-process store by default. Every write refreshes the
/// room's time-to-live. Implementations must be safe under concurrent callers on several app instances.
/// </summary>
public interface IRoomStore
{
    /// <summary>Creates the room with its creator as first player; false if the code is already live.</summary>
    Task<bool> TryCreateAsync(Room room, Player creator, CancellationToken cancellationToken = default);

    /// <summary>The room and its players, or null when there is no such live room.</summary>
    Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>Adds a player atomically, refusing when the room holds <paramref name="maxPlayers"/> already.</summary>
    Task<JoinOutcome> AddPlayerAsync(string code, Player player, int maxPlayers, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends a roll, assigning the room's next sequence number atomically; returns the stored roll,
    /// or null when the room no longer exists. Keeps at least <c>historyLimit</c> most recent rolls.
    /// </summary>
    Task<Roll?> AppendRollAsync(Roll roll, long now, CancellationToken cancellationToken = default);

    /// <summary>Rolls with a sequence greater than <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Roll>> GetRollsAfterAsync(string code, long afterSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>The newest rolls with a sequence below <paramref name="beforeSequence"/>, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Roll>> GetRollsBeforeAsync(string code, long beforeSequence, int limit, CancellationToken cancellationToken = default);

    /// <summary>Checks that the store answers (for health checks).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}

/// <summary>Sends a room event to every open page of the room, on every app instance.</summary>
public interface IRoomEventPublisher
{
    Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken = default);
}

/// <summary>
/// The durable record of every roll behind its public permalink. Written before the roll is appended to
/// the room's history, so every roll anyone sees has a link that survives a crash.
/// </summary>
public interface IRollArchive
{
    Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default);

    /// <summary>Removes the record of a roll that never reached its room (the room had gone).</summary>
    Task DeleteAsync(string rollId, CancellationToken cancellationToken = default);
}
