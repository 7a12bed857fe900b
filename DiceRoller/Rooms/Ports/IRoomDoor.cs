namespace DiceRoller.Rooms;

public enum JoinOutcome
{
    Joined,
    RoomNotFound,
    RoomFull,
    NameTaken,
    Kicked,
    /// <summary>Not refused, not let in: the person waits for the room's admin (a knock was recorded).</summary>
    Knocking,
}

public enum KnockOutcome
{
    Admitted,
    Refused,
    /// <summary>The knock is unknown, expired, or was already answered.</summary>
    KnockNotFound,
    RoomNotFound,
    RoomFull,
    NameTaken,
    /// <summary>The knocking player's device was kicked meanwhile: they cannot be admitted.</summary>
    Kicked,
}

/// <summary>The room's door: who comes in, who knocks and waits, the lock and the kicked addresses. Part of <see cref="IRoomStore"/>.</summary>
public interface IRoomDoor
{
    /// <summary>
    /// Adds a player atomically, refusing when the room holds <paramref name="maxPlayers"/> already, the name is taken, or
    /// the player's id or device was kicked; unless the room is locked or the player's address
    /// (<see cref="Player.AddressHash"/>) had a player kicked at or after <paramref name="kickedSince"/>: then records
    /// <paramref name="knock"/> instead and answers <see cref="JoinOutcome.Knocking"/>. A kicked id or device is refused;
    /// a full room or a taken name is refused before any knock.
    /// </summary>
    Task<JoinOutcome> JoinOrKnockAsync(string code, Knock knock, int maxPlayers, long kickedSince, long now, CancellationToken cancellationToken = default);

    /// <summary>One knock by id (in any state, until it expires with the room), or null.</summary>
    Task<Knock?> GetKnockAsync(string code, string knockId, CancellationToken cancellationToken = default);

    /// <summary>The knocks still waiting (not answered, not expired), oldest first.</summary>
    Task<IReadOnlyList<Knock>> GetWaitingKnocksAsync(string code, long now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers a waiting knock atomically: admitting adds its player (refused when the room is full or the name is taken
    /// by then, leaving the knock waiting); refusing marks it refused.
    /// </summary>
    Task<KnockOutcome> ResolveKnockAsync(string code, string knockId, bool admit, int maxPlayers, long now, CancellationToken cancellationToken = default);

    /// <summary>Locks or unlocks the room (while locked every new join knocks); false when the room is gone.</summary>
    Task<bool> SetLockedAsync(string code, bool locked, long now, CancellationToken cancellationToken = default);

    /// <summary>When the room's latest kick that barred an address was (Unix ms); null when no address is barred.</summary>
    Task<long?> GetLastAddressKickAsync(string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets the addresses of kicked players (joins from them come straight in again); the kicked players' ids and
    /// devices stay barred. False when the room is gone.
    /// </summary>
    Task<bool> ForgetKickedAddressesAsync(string code, long now, CancellationToken cancellationToken = default);
}
