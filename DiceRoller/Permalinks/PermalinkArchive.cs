using Dapper;
using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Rooms;

namespace DiceRoller.Permalinks;

/// <summary>
/// The permalink archive as the app uses it: the <see cref="IRollArchive"/> port the roll path writes to, plus what the
/// permalink pages, the health check, start-up and the retention job need. Implemented on SQLite
/// (<see cref="SqlitePermalinkStore"/>, the embedded default) and on PostgreSQL (<see cref="PostgresPermalinkStore"/>, for
/// app instances on several hosts); both pass one contract suite.
/// </summary>
public interface IPermalinkArchive : IRollArchive
{
    /// <summary>
    /// Brings the schema up to the newest version. Idempotent, and safe when several app instances start at once
    /// (each version is applied exactly once, under a lock).
    /// </summary>
    Task MigrateAsync(CancellationToken ct = default);

    /// <summary>The row if it exists and has not expired (whether or not it is public yet).</summary>
    Task<PermalinkRow?> FindAsync(string rollId, CancellationToken ct = default);

    /// <summary>
    /// Deletes expired rows and returns how many, or null when another app instance is running the cleanup right now
    /// (it deletes them; this one does not wait to do it again).
    /// </summary>
    Task<int?> DeleteExpiredAsync(CancellationToken ct = default);

    /// <summary>True when the database answers.</summary>
    Task<bool> PingAsync(CancellationToken ct = default);

    /// <summary>The schema version the database is at (the number of migrations applied).</summary>
    Task<int> SchemaVersionAsync(CancellationToken ct = default);

    /// <summary>A kept room seed by its commitment (published or not: callers decide), unless expired.</summary>
    Task<SeedRow?> FindSeedAsync(string commitment, CancellationToken ct = default);

    /// <summary>Publishes a seed whose room no longer uses it (the room expired); the first reveal time stays.</summary>
    Task MarkSeedRevealedAsync(string commitment, CancellationToken ct = default);

    /// <summary>The verifiable rolls of one room (since it was created: codes are reused), in chain order.</summary>
    Task<IReadOnlyList<PermalinkRow>> RoomLogAsync(string roomCode, long since, CancellationToken ct = default);

    /// <summary>
    /// The ids and sequences (no roll data) of the rolls of <see cref="RoomLogAsync"/> from <paramref name="fromSequence"/> on:
    /// what the log endpoint compares with the room's history to leave out rolls a retried append replaced.
    /// </summary>
    Task<IReadOnlyList<RoomLogLink>> RoomLogFromAsync(string roomCode, long since, long fromSequence, CancellationToken ct = default);

    /// <summary>How many rolls <see cref="RoomLogAsync"/> holds without the rolls <paramref name="excluded"/>.</summary>
    Task<int> RoomLogCountAsync(string roomCode, long since, IReadOnlyCollection<string> excluded, CancellationToken ct = default);

    /// <summary>
    /// One page of <see cref="RoomLogAsync"/> without the rolls <paramref name="excluded"/>: the <paramref name="count"/> rolls
    /// from position <paramref name="offset"/> (0-based) in chain order. Only those rows are read.
    /// </summary>
    Task<IReadOnlyList<PermalinkRow>> RoomLogPageAsync(string roomCode, long since, IReadOnlyCollection<string> excluded, int offset, int count,
        CancellationToken ct = default);
}

/// <summary>A roll of a room's log by id and place in the chain.</summary>
public sealed class RoomLogLink
{
    public string RollId { get; set; } = "";

    public long? Sequence { get; set; }
}

/// <summary>The providers <c>Permalinks:Provider</c> names.</summary>
public static class PermalinkProviders
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";
}

/// <summary>
/// The columns every provider writes for a roll, and their values: one list, so a new column is added once for both
/// (each provider's migration list still gets its own <c>ALTER TABLE</c>).
/// </summary>
internal static class PermalinkColumns
{
    public const string Names =
        """
        roll_id, room_code, room_mode, player_name, dice_formula, dice_type, dice_count,
          modifier, advantage, individual_results, total, dc_check, timestamp, created_at, expires_at, hidden, revealed, kept_index,
          terms, label, successes, cap_reached, player_id, sequence, commitment, client_seed, nonce, block_values_used, salt, prev_hash,
          hash, signature, key_id, proof_rules
        """;

    public const string Parameters =
        """
        @RollId, @RoomCode, @RoomMode, @PlayerName, @DiceFormula, @DiceType, @DiceCount,
          @Modifier, @Advantage, @IndividualResults, @Total, @DcCheck, @Timestamp, @CreatedAt, @ExpiresAt, @Hidden, @Revealed, @KeptIndex,
          @Terms, @Label, @Successes, @CapReached, @PlayerId, @Sequence, @Commitment, @ClientSeed, @Nonce, @BlockValuesUsed, @Salt, @PrevHash,
          @Hash, @Signature, @KeyId, @ProofRules
        """;

    /// <summary>The values of <see cref="Names"/>, integers as <see cref="long"/> (SQLite INTEGER, PostgreSQL BIGINT).</summary>
    public static object Values(Roll roll, RoomMode roomMode, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(roll.Timestamp);
        return new
        {
            roll.RollId,
            roll.RoomCode,
            RoomMode = roomMode.ToWire(),
            roll.PlayerName,
            roll.DiceFormula,
            DiceType = (long)roll.DiceType,
            DiceCount = (long)roll.DiceCount,
            Modifier = (long)roll.Modifier,
            Advantage = roll.Advantage.ToWire(),
            IndividualResults = JsonSerializer.Serialize(roll.IndividualResults),
            Total = (long)roll.Total,
            DcCheck = roll.DcCheck is null ? null : RoomJson.Serialize(roll.DcCheck),
            roll.Timestamp,
            CreatedAt = Permalink.ToStored(created),
            ExpiresAt = Permalink.ToStored(created + retention),
            Hidden = roll.Hidden ? 1L : 0L,
            Revealed = roll.Revealed ? 1L : 0L,
            KeptIndex = (long?)roll.KeptIndex,
            Terms = roll.Terms is null ? null : RoomJson.Serialize(roll.Terms),
            roll.Label,
            Successes = (long?)roll.Successes,
            CapReached = roll.CapReached ? 1L : 0L,
            roll.PlayerId,
            Sequence = roll.Proof is null ? (long?)null : roll.Sequence,
            roll.Proof?.Commitment,
            roll.Proof?.ClientSeed,
            roll.Proof?.Nonce,
            BlockValuesUsed = (long?)roll.Proof?.ValuesUsed,
            roll.Proof?.Salt,
            roll.Proof?.PrevHash,
            roll.Proof?.Hash,
            roll.Proof?.Signature,
            roll.Proof?.KeyId,
            ProofRules = roll.Proof is { Rules: >= 2 } proof ? RoomJson.Serialize(ProofRules.Of(proof)) : null,
        };
    }
}

/// <summary>The fairness statements both providers run as they are (portable SQL: <c>ON CONFLICT</c>, sortable text times).</summary>
internal static class PermalinkSeeds
{
    public const string Upsert =
        """
        INSERT INTO room_seeds (commitment, room_code, server_seed, created_at, revealed_at, expires_at)
        VALUES (@Commitment, @RoomCode, @ServerSeed, @CreatedAt, @RevealedAt, @ExpiresAt)
        ON CONFLICT (commitment) DO UPDATE SET
          expires_at = CASE WHEN excluded.expires_at > room_seeds.expires_at THEN excluded.expires_at ELSE room_seeds.expires_at END,
          revealed_at = COALESCE(room_seeds.revealed_at, excluded.revealed_at)
        """;

    public const string UpdateChain =
        "UPDATE roll_permalinks SET sequence = @Sequence, prev_hash = @PrevHash, hash = @Hash, signature = @Signature WHERE roll_id = @RollId";

    public const string Find = "SELECT * FROM room_seeds WHERE commitment = @commitment AND expires_at > @now";

    public const string MarkRevealed = "UPDATE room_seeds SET revealed_at = @now WHERE commitment = @commitment AND revealed_at IS NULL";

    public const string RoomLog =
        """
        SELECT * FROM roll_permalinks
        WHERE room_code = @roomCode AND timestamp >= @since AND hash IS NOT NULL AND expires_at > @now
        ORDER BY sequence
        """;

    private const string RoomLogWhere = "room_code = @roomCode AND timestamp >= @since AND hash IS NOT NULL AND expires_at > @now";

    public const string RoomLogFrom = $"SELECT roll_id, sequence FROM roll_permalinks WHERE {RoomLogWhere} AND sequence >= @fromSequence";

    /// <summary>The count of the room's log without the excluded rolls (their ids as parameters @x0, @x1, ...).</summary>
    public static (string Sql, DynamicParameters Parameters) RoomLogCount(string roomCode, long since, string now, IReadOnlyCollection<string> excluded)
    {
        var (clause, parameters) = Excluding(roomCode, since, now, excluded);
        return ($"SELECT COUNT(*) FROM roll_permalinks WHERE {RoomLogWhere}{clause}", parameters);
    }

    /// <summary>One page of the room's log (ordered as <see cref="RoomLog"/>, ties by id) without the excluded rolls.</summary>
    public static (string Sql, DynamicParameters Parameters) RoomLogPage(string roomCode, long since, string now, IReadOnlyCollection<string> excluded,
        int offset, int count)
    {
        var (clause, parameters) = Excluding(roomCode, since, now, excluded);
        parameters.Add("offset", (long)offset);
        parameters.Add("count", (long)count);
        return ($"SELECT * FROM roll_permalinks WHERE {RoomLogWhere}{clause} ORDER BY sequence, roll_id LIMIT @count OFFSET @offset", parameters);
    }

    private static (string Clause, DynamicParameters Parameters) Excluding(string roomCode, long since, string now, IReadOnlyCollection<string> excluded)
    {
        var parameters = new DynamicParameters(new { roomCode, since, now });
        if (excluded.Count == 0)
        {
            return ("", parameters);
        }

        var names = excluded.Select((id, i) =>
        {
            parameters.Add($"x{i}", id);
            return $"@x{i}";
        }).ToList();
        return ($" AND roll_id NOT IN ({string.Join(", ", names)})", parameters);
    }

    /// <summary>A seed is kept as long as a permalink made at its last use lives.</summary>
    public static object Values(SeedRecord seed, TimeSpan retention)
    {
        ArgumentNullException.ThrowIfNull(seed);
        return new
        {
            seed.Commitment,
            seed.RoomCode,
            seed.ServerSeed,
            CreatedAt = Permalink.ToStored(DateTimeOffset.FromUnixTimeMilliseconds(seed.CreatedAt)),
            RevealedAt = seed.RevealedAt is long revealed ? Permalink.ToStored(DateTimeOffset.FromUnixTimeMilliseconds(revealed)) : null,
            ExpiresAt = Permalink.ToStored(DateTimeOffset.FromUnixTimeMilliseconds(seed.LastUsedAt) + retention),
        };
    }
}
