using System.Collections.Concurrent;

namespace DiceRoller.Rooms;

/// <summary>
/// Keeps each room seed in the archive beside its rolls' permalinks (written with the first roll an app instance draws
/// with it, and again when its expiry needs extending) and publishes it when it stops being used: a rotation, or the room
/// closing. (A room that expires publishes lazily: see the permalink side.)
/// </summary>
public sealed class SeedKeeper(IRollArchive archive, IRoomSeeds store, TimeProvider time, ILogger<SeedKeeper> logger)
{
    /// <summary>How far ahead of a roll the archived seed's life is extended at once (so it is written about once a day).</summary>
    private static readonly long ExtendAheadMs = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    /// <summary>Commitment -> the roll time the archived row already covers, on this app instance.</summary>
    private readonly ConcurrentDictionary<string, long> _covered = new(StringComparer.Ordinal);

    /// <summary>Makes sure the archive holds <paramref name="seed"/> at least as long as a roll made at <paramref name="rolledAt"/>.</summary>
    public async Task KeepAsync(string roomCode, RoomSeedSecret seed, long rolledAt, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (_covered.TryGetValue(seed.Commitment, out var covered) && covered >= rolledAt)
        {
            return;
        }

        var until = rolledAt + ExtendAheadMs;
        await archive.SaveSeedAsync(new SeedRecord(seed.Commitment, roomCode, seed.SeedHex, rolledAt, until, RevealedAt: null), ct);
        _covered[seed.Commitment] = until;
    }

    /// <summary>Publishes a seed that is no longer in use (kept as long as its rolls' permalinks).</summary>
    public async Task PublishAsync(string roomCode, RoomSeedSecret seed, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(seed);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var until = Math.Max(now, _covered.GetValueOrDefault(seed.Commitment));
        await archive.SaveSeedAsync(new SeedRecord(seed.Commitment, roomCode, seed.SeedHex, now, until, RevealedAt: now), ct);
        logger.LogInformation("Seed {Commitment} of {RoomCode} published", seed.Commitment, roomCode);
    }

    /// <summary>The room's current seed, read before the room is closed (once it is deleted the seed is gone).</summary>
    public Task<RoomSeedSecret?> CurrentAsync(string roomCode, CancellationToken ct = default) => store.GetSeedAsync(roomCode, ct);

    /// <summary>
    /// Publishes the old seed and commits a new one. Null when the room is gone. Under rules 2 no hidden roll becomes
    /// computable (each keeps its own secret, see docs/fairness.md); hidden rolls of a rules-1 seed do (the page warns the admin).
    /// </summary>
    public async Task<SeedRotation?> RotateAsync(string roomCode, CancellationToken ct = default)
    {
        var rotation = await store.RotateSeedAsync(roomCode, RoomSeedSecret.New(), time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        if (rotation?.Old is { } old)
        {
            await PublishAsync(roomCode, old, ct);
        }

        return rotation;
    }
}
