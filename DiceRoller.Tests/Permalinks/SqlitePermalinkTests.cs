using DiceRoller.Permalinks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Permalinks;

/// <summary>The permalink contract on SQLite (a file in the test's data folder), plus what only SQLite has.</summary>
public sealed class SqlitePermalinkTests : PermalinkArchiveContract
{
    protected override Task<ArchiveDatabase> NewDatabaseAsync(string dataDirectory)
    {
        var connectionString = $"Data Source={Path.Combine(dataDirectory, "permalinks.db")}";
        return Task.FromResult(new ArchiveDatabase(
            new Dictionary<string, string?> { ["Permalinks:Provider"] = "sqlite", ["ConnectionStrings:Permalinks"] = connectionString },
            async sql =>
            {
                await using var connection = new SqliteConnection(connectionString);
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                return await command.ExecuteScalarAsync();
            }));
    }

    protected override IPermalinkArchive NewArchive(ArchiveDatabase database, TimeProvider time) =>
        new SqlitePermalinkStore(database.Settings["ConnectionStrings:Permalinks"]!, time, Options.Create(new PermalinkOptions()));

    protected override int NewestSchemaVersion => SqlitePermalinkStore.SchemaVersion;

    protected override string CountIndexesSql =>
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'roll_permalinks' AND name IN ('idx_created_at', 'idx_expires_at', 'idx_room_code', 'idx_room_sequence')";

    protected override async Task CreateVersion2SchemaAsync(ArchiveDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        await database.Execute("""
            CREATE TABLE roll_permalinks (roll_id TEXT PRIMARY KEY, room_code TEXT NOT NULL, room_mode TEXT NOT NULL, player_name TEXT NOT NULL,
              dice_formula TEXT NOT NULL, dice_type INTEGER NOT NULL, dice_count INTEGER NOT NULL, modifier INTEGER NOT NULL, advantage TEXT NOT NULL,
              individual_results TEXT NOT NULL, total INTEGER NOT NULL, dc_check TEXT, timestamp INTEGER NOT NULL,
              created_at TEXT DEFAULT (datetime('now')), expires_at TEXT NOT NULL);
            CREATE INDEX idx_expires_at ON roll_permalinks(expires_at);
            CREATE INDEX idx_created_at ON roll_permalinks(created_at);
            CREATE INDEX idx_room_code ON roll_permalinks(room_code);
            ALTER TABLE roll_permalinks ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE roll_permalinks ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE roll_permalinks ADD COLUMN kept_index INTEGER;
            PRAGMA user_version = 2;
            """);
    }

    [Fact]
    public async Task The_file_is_in_write_ahead_log_mode_so_readers_never_wait_for_a_writer()
    {
        var folder = Directory.CreateTempSubdirectory("diceroller-test-").FullName;
        var database = await NewDatabaseAsync(folder);
        await NewArchive(database, TimeProvider.System).MigrateAsync();

        Assert.Equal("wal", await database.Execute("PRAGMA journal_mode"));
    }
}
