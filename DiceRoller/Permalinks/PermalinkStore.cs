using System.Text.Json;
using Dapper;
using DiceRoller.Dice;
using DiceRoller.Rooms;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DiceRoller.Permalinks;

/// <summary>
/// Roll permalinks in SQLite (Dapper + Microsoft.Data.Sqlite): WAL mode, a busy timeout, and a versioned,
/// idempotent schema migrated at start-up.
/// </summary>
public sealed class PermalinkStore : IRollArchive
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly PermalinkOptions _options;

    static PermalinkStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public PermalinkStore(string connectionString, TimeProvider time, IOptions<PermalinkOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectionString = connectionString;
        _time = time;
        _options = options.Value;
    }

    /// <summary>Schema versions, applied in order; each runs once (tracked in <c>PRAGMA user_version</c>).</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS roll_permalinks (
          roll_id TEXT PRIMARY KEY,
          room_code TEXT NOT NULL,
          room_mode TEXT NOT NULL CHECK (room_mode IN ('open', 'dm-led')),
          player_name TEXT NOT NULL,
          dice_formula TEXT NOT NULL,
          dice_type INTEGER NOT NULL,
          dice_count INTEGER NOT NULL,
          modifier INTEGER NOT NULL,
          advantage TEXT NOT NULL CHECK (advantage IN ('none', 'advantage', 'disadvantage')),
          individual_results TEXT NOT NULL,
          total INTEGER NOT NULL,
          dc_check TEXT,
          timestamp INTEGER NOT NULL,
          created_at TEXT DEFAULT (datetime('now')),
          expires_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_expires_at ON roll_permalinks(expires_at);
        CREATE INDEX IF NOT EXISTS idx_created_at ON roll_permalinks(created_at);
        CREATE INDEX IF NOT EXISTS idx_room_code ON roll_permalinks(room_code);
        """,
        """
        ALTER TABLE roll_permalinks ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE roll_permalinks ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE roll_permalinks ADD COLUMN kept_index INTEGER;
        """,
        // The dice language: each term's dice and subtotal (JSON), the label, the success count, the cap flag.
        // Older rows keep NULLs here and render from their dice_type/dice_count/modifier/individual_results.
        """
        ALTER TABLE roll_permalinks ADD COLUMN terms TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN label TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN successes INTEGER;
        ALTER TABLE roll_permalinks ADD COLUMN cap_reached INTEGER NOT NULL DEFAULT 0;
        """,
        // Provable fairness (docs/fairness.md): each room seed, kept as long as its rolls' permalinks (published once
        // revealed_at is set), and each roll's proof: its place in the room's hash chain, what its dice were drawn with,
        // and the signature. Rows from before fairness keep NULLs and have no proof.
        """
        CREATE TABLE IF NOT EXISTS room_seeds (
          commitment TEXT PRIMARY KEY,
          room_code TEXT NOT NULL,
          server_seed TEXT NOT NULL,
          created_at TEXT NOT NULL,
          revealed_at TEXT,
          expires_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_room_seeds_expires_at ON room_seeds(expires_at);
        ALTER TABLE roll_permalinks ADD COLUMN player_id TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN sequence INTEGER;
        ALTER TABLE roll_permalinks ADD COLUMN commitment TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN client_seed TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN nonce INTEGER;
        ALTER TABLE roll_permalinks ADD COLUMN block_values_used INTEGER;
        ALTER TABLE roll_permalinks ADD COLUMN salt TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN prev_hash TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN hash TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN signature TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN key_id TEXT;
        CREATE INDEX IF NOT EXISTS idx_room_sequence ON roll_permalinks(room_code, sequence);
        """,
    ];

    public static int SchemaVersion => Migrations.Length;

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        var builder = new SqliteConnectionStringBuilder(_connectionString);
        var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(folder) && builder.Mode != SqliteOpenMode.Memory)
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = await OpenAsync(ct);
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        var version = await connection.ExecuteScalarAsync<long>("PRAGMA user_version;");
        for (var v = (int)version; v < Migrations.Length; v++)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(Migrations[v], transaction: tx);
            await connection.ExecuteAsync($"PRAGMA user_version = {v + 1};", transaction: tx);
            await tx.CommitAsync(ct);
        }
    }

    public async Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(roll.Timestamp);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT OR IGNORE INTO roll_permalinks (roll_id, room_code, room_mode, player_name, dice_formula, dice_type, dice_count,
              modifier, advantage, individual_results, total, dc_check, timestamp, created_at, expires_at, hidden, revealed, kept_index,
              terms, label, successes, cap_reached, player_id, sequence, commitment, client_seed, nonce, block_values_used, salt, prev_hash,
              hash, signature, key_id)
            VALUES (@RollId, @RoomCode, @RoomMode, @PlayerName, @DiceFormula, @DiceType, @DiceCount,
              @Modifier, @Advantage, @IndividualResults, @Total, @DcCheck, @Timestamp, @CreatedAt, @ExpiresAt, @Hidden, @Revealed, @KeptIndex,
              @Terms, @Label, @Successes, @CapReached, @PlayerId, @Sequence, @Commitment, @ClientSeed, @Nonce, @BlockValuesUsed, @Salt, @PrevHash,
              @Hash, @Signature, @KeyId)
            """,
            new
            {
                roll.RollId,
                roll.RoomCode,
                RoomMode = roomMode.ToWire(),
                roll.PlayerName,
                roll.DiceFormula,
                roll.DiceType,
                roll.DiceCount,
                roll.Modifier,
                Advantage = roll.Advantage.ToWire(),
                IndividualResults = JsonSerializer.Serialize(roll.IndividualResults),
                roll.Total,
                DcCheck = roll.DcCheck is null ? null : RoomJson.Serialize(roll.DcCheck),
                roll.Timestamp,
                CreatedAt = Permalink.ToStored(created),
                ExpiresAt = Permalink.ToStored(created + _options.Retention),
                Hidden = roll.Hidden ? 1 : 0,
                Revealed = roll.Revealed ? 1 : 0,
                roll.KeptIndex,
                Terms = roll.Terms is null ? null : RoomJson.Serialize(roll.Terms),
                roll.Label,
                roll.Successes,
                CapReached = roll.CapReached ? 1 : 0,
                roll.PlayerId,
                Sequence = roll.Proof is null ? (long?)null : roll.Sequence,
                roll.Proof?.Commitment,
                roll.Proof?.ClientSeed,
                roll.Proof?.Nonce,
                BlockValuesUsed = roll.Proof?.ValuesUsed,
                roll.Proof?.Salt,
                roll.Proof?.PrevHash,
                roll.Proof?.Hash,
                roll.Proof?.Signature,
                roll.Proof?.KeyId,
            });
    }

    /// <summary>The expiry a roll made at <paramref name="timestamp"/> gets (its seed must outlive it).</summary>
    public DateTimeOffset ExpiryOf(long timestamp) => DateTimeOffset.FromUnixTimeMilliseconds(timestamp) + _options.Retention;

    public async Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seed);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO room_seeds (commitment, room_code, server_seed, created_at, revealed_at, expires_at)
            VALUES (@Commitment, @RoomCode, @ServerSeed, @CreatedAt, @RevealedAt, @ExpiresAt)
            ON CONFLICT (commitment) DO UPDATE SET
              expires_at = CASE WHEN excluded.expires_at > room_seeds.expires_at THEN excluded.expires_at ELSE room_seeds.expires_at END,
              revealed_at = COALESCE(room_seeds.revealed_at, excluded.revealed_at)
            """,
            new
            {
                seed.Commitment,
                seed.RoomCode,
                seed.ServerSeed,
                CreatedAt = Permalink.ToStored(DateTimeOffset.FromUnixTimeMilliseconds(seed.CreatedAt)),
                RevealedAt = seed.RevealedAt is long revealed ? Permalink.ToStored(DateTimeOffset.FromUnixTimeMilliseconds(revealed)) : null,
                ExpiresAt = Permalink.ToStored(ExpiryOf(seed.LastUsedAt)),
            });
    }

    public async Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(roll.Proof);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE roll_permalinks SET sequence = @Sequence, prev_hash = @PrevHash, hash = @Hash, signature = @Signature WHERE roll_id = @RollId",
            new { roll.Sequence, roll.Proof.PrevHash, roll.Proof.Hash, roll.Proof.Signature, roll.RollId });
    }

    /// <summary>A kept room seed by its commitment (published or not: callers decide), unless expired.</summary>
    public async Task<SeedRow?> FindSeedAsync(string commitment, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SeedRow>(
            "SELECT * FROM room_seeds WHERE commitment = @commitment AND expires_at > @now",
            new { commitment, now = Permalink.ToStored(_time.GetUtcNow()) });
    }

    /// <summary>Publishes a seed whose room no longer uses it (the room expired); the first reveal time stays.</summary>
    public async Task MarkSeedRevealedAsync(string commitment, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await connection.ExecuteAsync("UPDATE room_seeds SET revealed_at = @now WHERE commitment = @commitment AND revealed_at IS NULL",
            new { commitment, now = Permalink.ToStored(_time.GetUtcNow()) });
    }

    /// <summary>The verifiable rolls of one room (since it was created: codes are reused), in chain order.</summary>
    public async Task<IReadOnlyList<PermalinkRow>> RoomLogAsync(string roomCode, long since, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var rows = await connection.QueryAsync<PermalinkRow>(
            """
            SELECT * FROM roll_permalinks
            WHERE room_code = @roomCode AND timestamp >= @since AND hash IS NOT NULL AND expires_at > @now
            ORDER BY sequence
            """,
            new { roomCode, since, now = Permalink.ToStored(_time.GetUtcNow()) });
        return rows.ToList();
    }

    public async Task MarkRevealedAsync(string rollId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE roll_permalinks SET revealed = 1 WHERE roll_id = @rollId", new { rollId });
    }

    public async Task DeleteAsync(string rollId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM roll_permalinks WHERE roll_id = @rollId", new { rollId });
    }

    /// <summary>The row if it exists and has not expired (whether or not it is public yet).</summary>
    public async Task<PermalinkRow?> FindAsync(string rollId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<PermalinkRow>(
            "SELECT * FROM roll_permalinks WHERE roll_id = @rollId AND expires_at > @now",
            new { rollId, now = Permalink.ToStored(_time.GetUtcNow()) });
    }

    /// <summary>Deletes expired rows; returns how many.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var now = Permalink.ToStored(_time.GetUtcNow());
        var deleted = await connection.ExecuteAsync("DELETE FROM roll_permalinks WHERE expires_at <= @now", new { now });
        await connection.ExecuteAsync("DELETE FROM room_seeds WHERE expires_at <= @now", new { now });
        return deleted;
    }

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            return await connection.ExecuteScalarAsync<long>("SELECT 1") == 1;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await connection.ExecuteAsync("PRAGMA busy_timeout = 5000;");
        return connection;
    }
}
