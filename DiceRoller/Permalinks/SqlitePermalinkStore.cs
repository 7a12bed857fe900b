using Dapper;
using DiceRoller.Dice;
using DiceRoller.Rooms;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DiceRoller.Permalinks;

/// <summary>
/// Roll permalinks in SQLite (Dapper + Microsoft.Data.Sqlite), the embedded default: WAL mode, a busy timeout, and a
/// versioned, idempotent schema migrated at start-up. Instances sharing one file migrate one at a time
/// (<c>BEGIN IMMEDIATE</c> around reading the version and applying what is missing).
/// </summary>
public sealed class SqlitePermalinkStore : IPermalinkArchive, IRollBatchArchive, IDisposable, IAsyncDisposable
{
    // Only a repeated roll id is ignored (a retried save); any other constraint failure is an error. OR IGNORE would also
    // drop a row that breaks NOT NULL, silently, and the roll would be acknowledged without its permalink.
    private static readonly string InsertSql =
        $"INSERT INTO roll_permalinks ({PermalinkColumns.Names}) VALUES ({PermalinkColumns.Parameters}) ON CONFLICT (roll_id) DO NOTHING";

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly PermalinkOptions _options;
    private readonly string _pragmas;

    // The writer's own connection and prepared insert, for every save (batched or not): each roll binds and steps it
    // instead of opening a pooled connection, running the pragmas and parsing the 33-column insert again (SQLite was 14%
    // of the app's CPU at 400 players). One batch at a time; reopened after a failed batch.
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private SqliteConnection? _writer;
    private SqliteCommand? _insert;
    private System.Reflection.PropertyInfo[]? _columns;

    static SqlitePermalinkStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public SqlitePermalinkStore(string connectionString, TimeProvider time, IOptions<PermalinkOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connectionString = connectionString;
        _time = time;
        _options = options.Value;
        _pragmas = $"PRAGMA busy_timeout = 5000; PRAGMA synchronous = {(_options.SqliteSynchronous == "full" ? "FULL" : "NORMAL")};";
    }

    /// <summary>
    /// Schema versions, applied in order; each runs once (tracked in <c>PRAGMA user_version</c>: entry N is version N+1).
    /// A new version is one entry at the end here and the same change at the end of
    /// <see cref="PostgresPermalinkStore"/>'s list.
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
        "ALTER TABLE roll_permalinks ADD COLUMN proof_rules TEXT;",
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

        // BEGIN IMMEDIATE takes the write lock before the version is read, so a second instance starting on the same file
        // waits (busy timeout), then reads the version the first one left and applies nothing twice.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
        var version = await connection.ExecuteScalarAsync<long>("PRAGMA user_version;", transaction: tx);
        for (var v = (int)version; v < Migrations.Length; v++)
        {
            await connection.ExecuteAsync(Migrations[v], transaction: tx);
            await connection.ExecuteAsync($"PRAGMA user_version = {v + 1};", transaction: tx);
        }

        await tx.CommitAsync(ct);
    }

    public async Task<int> SchemaVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return (int)await connection.ExecuteScalarAsync<long>("PRAGMA user_version;");
    }

    /// <summary>One roll, through the same connection and prepared insert as a group commit (a batch of one).</summary>
    public Task SaveAsync(Roll roll, RoomMode roomMode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        return SaveBatchAsync([new ArchivedRoll(roll, roomMode)], cancellationToken);
    }

    /// <summary>Writes the rolls in one transaction: all of them or (on an error) none.</summary>
    public async Task SaveBatchAsync(IReadOnlyList<ArchivedRoll> rolls, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rolls);
        await _writerGate.WaitAsync(cancellationToken);
        try
        {
            var insert = await WriterAsync(cancellationToken);
            try
            {
                await using var tx = (SqliteTransaction)await insert.Connection!.BeginTransactionAsync(cancellationToken);
                insert.Transaction = tx;
                foreach (var (roll, roomMode) in rolls)
                {
                    Bind(insert, PermalinkColumns.Values(roll, roomMode, _options.Retention));
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }

                await tx.CommitAsync(cancellationToken);
            }
            catch
            {
                // The connection may be left mid-transaction or broken: the next batch starts on a new one.
                await CloseWriterAsync();
                throw;
            }
        }
        finally
        {
            _writerGate.Release();
        }
    }

    private async Task<SqliteCommand> WriterAsync(CancellationToken ct)
    {
        if (_insert is not null)
        {
            return _insert;
        }

        _writer = await OpenAsync(ct);
        _insert = _writer.CreateCommand();
        _insert.CommandText = InsertSql;
        return _insert;
    }

    /// <summary>Sets the insert's parameters from <see cref="PermalinkColumns.Values"/> (created on the first roll, by property name).</summary>
    private void Bind(SqliteCommand insert, object values)
    {
        _columns ??= values.GetType().GetProperties();
        if (insert.Parameters.Count == 0)
        {
            foreach (var column in _columns)
            {
                insert.Parameters.Add(new SqliteParameter("@" + column.Name, DBNull.Value));
            }
        }

        for (var i = 0; i < _columns.Length; i++)
        {
            insert.Parameters[i].Value = _columns[i].GetValue(values) ?? DBNull.Value;
        }
    }

    private async Task CloseWriterAsync()
    {
        if (_insert is not null)
        {
            await _insert.DisposeAsync();
            _insert = null;
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await _writerGate.WaitAsync();
        try
        {
            await CloseWriterAsync();
        }
        finally
        {
            _writerGate.Release();
        }
    }

    public async Task SaveSeedAsync(SeedRecord seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seed);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(PermalinkSeeds.Upsert, PermalinkSeeds.Values(seed, _options.Retention));
    }

    public async Task UpdateChainAsync(Roll roll, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(roll.Proof);
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(PermalinkSeeds.UpdateChain, new { roll.Sequence, roll.Proof.PrevHash, roll.Proof.Hash, roll.Proof.Signature, roll.RollId });
    }

    public async Task<SeedRow?> FindSeedAsync(string commitment, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SeedRow>(PermalinkSeeds.Find, new { commitment, now = Permalink.ToStored(_time.GetUtcNow()) });
    }

    public async Task MarkSeedRevealedAsync(string commitment, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        await connection.ExecuteAsync(PermalinkSeeds.MarkRevealed, new { commitment, now = Permalink.ToStored(_time.GetUtcNow()) });
    }

    public async Task<IReadOnlyList<PermalinkRow>> RoomLogAsync(string roomCode, long since, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var rows = await connection.QueryAsync<PermalinkRow>(PermalinkSeeds.RoomLog, new { roomCode, since, now = Permalink.ToStored(_time.GetUtcNow()) });
        return rows.ToList();
    }

    public async Task<IReadOnlyList<RoomLogLink>> RoomLogFromAsync(string roomCode, long since, long fromSequence, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        var links = await connection.QueryAsync<RoomLogLink>(PermalinkSeeds.RoomLogFrom,
            new { roomCode, since, fromSequence, now = Permalink.ToStored(_time.GetUtcNow()) });
        return links.ToList();
    }

    public async Task<int> RoomLogCountAsync(string roomCode, long since, IReadOnlyCollection<string> excluded, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        await using var connection = await OpenAsync(ct);
        var (sql, parameters) = PermalinkSeeds.RoomLogCount(roomCode, since, Permalink.ToStored(_time.GetUtcNow()), excluded);
        return (int)await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    public async Task<IReadOnlyList<PermalinkRow>> RoomLogPageAsync(string roomCode, long since, IReadOnlyCollection<string> excluded, int offset, int count,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        await using var connection = await OpenAsync(ct);
        var (sql, parameters) = PermalinkSeeds.RoomLogPage(roomCode, since, Permalink.ToStored(_time.GetUtcNow()), excluded, offset, count);
        var rows = await connection.QueryAsync<PermalinkRow>(sql, parameters);
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

    public async Task<PermalinkRow?> FindAsync(string rollId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<PermalinkRow>(
            "SELECT * FROM roll_permalinks WHERE roll_id = @rollId AND expires_at > @now",
            new { rollId, now = Permalink.ToStored(_time.GetUtcNow()) });
    }

    /// <summary>Deletes expired rows; returns how many (one statement: instances sharing the file cannot delete a row twice).</summary>
    public async Task<int?> DeleteExpiredAsync(CancellationToken ct = default)
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

    /// <summary>A PRAGMA's value on a connection as this store opens it (for checks and diagnostics).</summary>
    internal async Task<long> PragmaAsync(string name)
    {
        await using var connection = await OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>($"PRAGMA {name};");
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await connection.ExecuteAsync(_pragmas);
        return connection;
    }
}
