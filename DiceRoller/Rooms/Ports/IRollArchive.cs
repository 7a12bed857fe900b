namespace DiceRoller.Rooms;

/// <summary>
/// The durable record of every roll behind its public permalink. Written before the roll is appended to
/// the room's history, so every roll anyone sees has a link that survives a crash.
/// </summary>
public interface IRollArchive
{
    Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default);

    /// <summary>Makes a hidden roll's record public.</summary>
    Task MarkRevealedAsync(string rollId, CancellationToken cancellationToken = default);

    /// <summary>Removes the record of a roll that never reached its room (the room had gone).</summary>
    Task DeleteAsync(string rollId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps a room seed beside the permalinks: inserted once, its expiry only ever extended (to outlive every permalink of
    /// its rolls), and its reveal time set once (<see cref="SeedRecord.RevealedAt"/> non-null publishes it).
    /// </summary>
    Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default);

    /// <summary>Rewrites a saved roll's place in the hash chain (sequence, prev hash, hash, signature) after an append retry.</summary>
    Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default);
}

/// <summary>
/// A room seed as the archive keeps it. Times are Unix milliseconds; the archive keeps it as long as a permalink made at
/// <see cref="LastUsedAt"/> lives.
/// </summary>
public sealed record SeedRecord(string Commitment, string RoomCode, string ServerSeed, long CreatedAt, long LastUsedAt, long? RevealedAt);
