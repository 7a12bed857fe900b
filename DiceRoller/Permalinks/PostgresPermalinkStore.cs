using Dapper;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DiceRoller.Permalinks;

/// <summary>
/// Roll permalinks in PostgreSQL (Dapper + Npgsql), for app instances on several hosts: a permalink made through one
/// instance is served by every other. The same table, columns and stored formats as <see cref="SqlitePermalinkStore"/>
/// (integers as BIGINT, times as the same sortable text), so the rows and the pages are identical. Migrations are
/// applied under a transaction-scoped advisory lock (DDL is transactional in PostgreSQL, so a version is applied whole or
/// not at all), and the retention cleanup runs on one instance at a time (a try-lock: the others skip that round).
/// </summary>
public sealed class PostgresPermalinkStore : IPermalinkArchive, IRollBatchArchive, IAsyncDisposable
{
    /// <summary>Advisory lock keys (one 64-bit key space per database): "DR" + "perm" + a purpose.</summary>
    internal const long MigrationLockKey = 0x4452_7065_726D_0001;

    internal const long CleanupLockKey = 0x4452_7065_726D_0002;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly PermalinkOptions _options;

    static PostgresPermalinkStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public PostgresPermalinkStore(string connectionString, TimeProvider time, IOptions<PermalinkOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value; // validated first: a bad Permalinks:* setting is reported before the connection string is parsed
        _time = time;
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>
    /// Schema versions, applied in order, each once (recorded in <c>permalink_schema</c>): entry N is version N+1 and
    /// matches entry N of <see cref="SqlitePermalinkStore"/>'s list. A new version is one entry at the end.
    /// </summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS roll_permalinks (
          roll_id TEXT PRIMARY KEY,
          room_code TEXT NOT NULL,
          room_mode TEXT NOT NULL CHECK (room_mode IN ('open', 'dm-led')),
          player_name TEXT NOT NULL,
          dice_formula TEXT NOT NULL,
          dice_type BIGINT NOT NULL,
          dice_count BIGINT NOT NULL,
          modifier BIGINT NOT NULL,
          advantage TEXT NOT NULL CHECK (advantage IN ('none', 'advantage', 'disadvantage')),
          individual_results TEXT NOT NULL,
          total BIGINT NOT NULL,
          dc_check TEXT,
          timestamp BIGINT NOT NULL,
          created_at TEXT DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')),
          expires_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_expires_at ON roll_permalinks(expires_at);
        CREATE INDEX IF NOT EXISTS idx_created_at ON roll_permalinks(created_at);
        CREATE INDEX IF NOT EXISTS idx_room_code ON roll_permalinks(room_code);
        """,
        """
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS hidden BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS revealed BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS kept_index BIGINT;
        """,
        """
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS terms TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS label TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS successes BIGINT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS cap_reached BIGINT NOT NULL DEFAULT 0;
        """,
        // Provable fairness (docs/fairness.md): room seeds kept beside their rolls, each roll's proof.
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
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS player_id TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS sequence BIGINT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS commitment TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS client_seed TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS nonce BIGINT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS block_values_used BIGINT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS salt TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS prev_hash TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS hash TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS signature TEXT;
        ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS key_id TEXT;
        CREATE INDEX IF NOT EXISTS idx_room_sequence ON roll_permalinks(room_code, sequence);
        """,
        "ALTER TABLE roll_permalinks ADD COLUMN IF NOT EXISTS proof_rules TEXT;",
    ];

    public static int SchemaVersion => Migrations.Length;

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Every instance queues here; the lock is released at commit, so the next one sees the versions already applied.
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, tx);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS permalink_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            transaction: tx);
        var version = await connection.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM permalink_schema", transaction: tx);
        for (var v = version; v < Migrations.Length; v++)
        {
            await connection.ExecuteAsync(Migrations[v], transaction: tx);
            await connection.ExecuteAsync("INSERT INTO permalink_schema (version) VALUES (@version)", new { version = v + 1 }, tx);
        }

        await tx.CommitAsync(ct);
    }

    public async Task<int> SchemaVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(version), 0) FROM permalink_schema");
    }

    public async Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO roll_permalinks ({PermalinkColumns.Names}) VALUES ({PermalinkColumns.Parameters}) ON CONFLICT (roll_id) DO NOTHING",
            PermalinkColumns.Values(roll, roomMode, _options.Retention), cancellationToken: cancellationToken));
    }

    public async Task MarkRevealedAsync(string rollId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("UPDATE roll_permalinks SET revealed = 1 WHERE roll_id = @rollId", new { rollId },
            cancellationToken: cancellationToken));
    }

    public async Task DeleteAsync(string rollId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM roll_permalinks WHERE roll_id = @rollId", new { rollId },
            cancellationToken: cancellationToken));
    }

    public async Task<PermalinkRow?> FindAsync(string rollId, CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<PermalinkRow>(new CommandDefinition(
            "SELECT * FROM roll_permalinks WHERE roll_id = @rollId AND expires_at > @now",
            new { rollId, now = Permalink.ToStored(_time.GetUtcNow()) }, cancellationToken: ct));
    }

    public async Task<int?> DeleteExpiredAsync(CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (!await connection.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_xact_lock(@key)", new { key = CleanupLockKey }, tx))
        {
            return null;
        }

        var now = Permalink.ToStored(_time.GetUtcNow());
        var deleted = await connection.ExecuteAsync("DELETE FROM roll_permalinks WHERE expires_at <= @now", new { now }, tx);
        await connection.ExecuteAsync("DELETE FROM room_seeds WHERE expires_at <= @now", new { now }, tx);
        await tx.CommitAsync(ct);
        return deleted;
    }

    public async Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seed);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(PermalinkSeeds.Upsert, PermalinkSeeds.Values(seed, _options.Retention),
            cancellationToken: cancellationToken));
    }

    public async Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(roll.Proof);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(PermalinkSeeds.UpdateChain,
            new { roll.Sequence, roll.Proof.PrevHash, roll.Proof.Hash, roll.Proof.Signature, roll.RollId }, cancellationToken: cancellationToken));
    }

    public async Task<SeedRow?> FindSeedAsync(string commitment, CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SeedRow>(new CommandDefinition(PermalinkSeeds.Find,
            new { commitment, now = Permalink.ToStored(_time.GetUtcNow()) }, cancellationToken: ct));
    }

    public async Task MarkSeedRevealedAsync(string commitment, CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(PermalinkSeeds.MarkRevealed,
            new { commitment, now = Permalink.ToStored(_time.GetUtcNow()) }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<PermalinkRow>> RoomLogAsync(string roomCode, long since, CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<PermalinkRow>(new CommandDefinition(PermalinkSeeds.RoomLog,
            new { roomCode, since, now = Permalink.ToStored(_time.GetUtcNow()) }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<IReadOnlyList<RoomLogLink>> RoomLogFromAsync(string roomCode, long since, long fromSequence, CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var links = await connection.QueryAsync<RoomLogLink>(new CommandDefinition(PermalinkSeeds.RoomLogFrom,
            new { roomCode, since, fromSequence, now = Permalink.ToStored(_time.GetUtcNow()) }, cancellationToken: ct));
        return links.ToList();
    }

    public async Task<int> RoomLogCountAsync(string roomCode, long since, IReadOnlyCollection<string> excluded, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var (sql, parameters) = PermalinkSeeds.RoomLogCount(roomCode, since, Permalink.ToStored(_time.GetUtcNow()), excluded);
        return (int)await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<PermalinkRow>> RoomLogPageAsync(string roomCode, long since, IReadOnlyCollection<string> excluded, int offset, int count,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var (sql, parameters) = PermalinkSeeds.RoomLogPage(roomCode, since, Permalink.ToStored(_time.GetUtcNow()), excluded, offset, count);
        var rows = await connection.QueryAsync<PermalinkRow>(new CommandDefinition(sql, parameters, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            return await connection.ExecuteScalarAsync<int>("SELECT 1") == 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// Writes the rolls in one transaction, all of them or (on an error) none, as <see cref="SqlitePermalinkStore"/> does: a roll
    /// already archived is left as it is. One insert per roll, one commit for all.
    /// </summary>
    public async Task SaveBatchAsync(IReadOnlyList<ArchivedRoll> rolls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rolls);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO roll_permalinks ({PermalinkColumns.Names}) VALUES ({PermalinkColumns.Parameters}) ON CONFLICT (roll_id) DO NOTHING",
            rolls.Select(r => PermalinkColumns.Values(r.Roll, r.RoomMode, _options.Retention)).ToList(), tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
    }
}
