using DiceRoller.Permalinks;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace DiceRoller.Tests.Permalinks;

/// <summary>The permalink contract on PostgreSQL (a schema of its own per test), plus the cleanup's one-at-a-time lock.</summary>
[Trait(Tiers.Trait, Tiers.Postgres)]
[Collection(PostgresCollection.Name)]
public sealed class PostgresPermalinkTests(PostgresServer postgres) : PermalinkArchiveContract
{
    protected override async Task<ArchiveDatabase> NewDatabaseAsync(string dataDirectory)
    {
        var connectionString = await postgres.NewDatabaseAsync();
        return new ArchiveDatabase(
            new Dictionary<string, string?> { ["Permalinks:Provider"] = "postgresql", ["ConnectionStrings:Permalinks"] = connectionString },
            async sql =>
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                return await command.ExecuteScalarAsync();
            });
    }

    protected override IPermalinkArchive NewArchive(ArchiveDatabase database, TimeProvider time) =>
        new PostgresPermalinkStore(database.Settings["ConnectionStrings:Permalinks"]!, time, Options.Create(new PermalinkOptions()));

    protected override int NewestSchemaVersion => PostgresPermalinkStore.SchemaVersion;

    protected override string CountIndexesSql =>
        "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'roll_permalinks' AND indexname IN ('idx_created_at', 'idx_expires_at', 'idx_room_code', 'idx_room_sequence')";

    protected override async Task CreateVersion2SchemaAsync(ArchiveDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        await database.Execute("""
            CREATE TABLE roll_permalinks (roll_id TEXT PRIMARY KEY, room_code TEXT NOT NULL, room_mode TEXT NOT NULL, player_name TEXT NOT NULL,
              dice_formula TEXT NOT NULL, dice_type BIGINT NOT NULL, dice_count BIGINT NOT NULL, modifier BIGINT NOT NULL, advantage TEXT NOT NULL,
              individual_results TEXT NOT NULL, total BIGINT NOT NULL, dc_check TEXT, timestamp BIGINT NOT NULL,
              created_at TEXT, expires_at TEXT NOT NULL,
              hidden BIGINT NOT NULL DEFAULT 0, revealed BIGINT NOT NULL DEFAULT 0, kept_index BIGINT);
            CREATE INDEX idx_expires_at ON roll_permalinks(expires_at);
            CREATE INDEX idx_created_at ON roll_permalinks(created_at);
            CREATE INDEX idx_room_code ON roll_permalinks(room_code);
            CREATE TABLE permalink_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
            INSERT INTO permalink_schema (version) VALUES (1), (2);
            """);
    }

    [Fact]
    public async Task The_retention_cleanup_runs_on_one_instance_at_a_time_and_the_others_skip_that_round()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 20, 0, 0, TimeSpan.Zero));
        var database = await NewDatabaseAsync("");
        var connectionString = database.Settings["ConnectionStrings:Permalinks"]!;
        await using var archive = new PostgresPermalinkStore(connectionString, clock, Options.Create(new PermalinkOptions()));
        await archive.MigrateAsync();
        var roll = new DiceRoller.Rooms.Roll(Guid.NewGuid().ToString(), "ALPHA-1234", 1, "p1", "Alice", clock.GetUtcNow().ToUnixTimeMilliseconds(), "1d20",
            20, 1, 0, DiceRoller.Dice.Advantage.None, [3], null, 3, Hidden: false, Revealed: false, DcCheck: null);
        await archive.SaveAsync(roll, DiceRoller.Rooms.RoomMode.Open);
        clock.Advance(TimeSpan.FromDays(31));

        // Another instance is in the middle of its cleanup: it holds the cleanup lock.
        await using (var other = new NpgsqlConnection(connectionString))
        {
            await other.OpenAsync();
            await using var tx = await other.BeginTransactionAsync();
            await using var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({PostgresPermalinkStore.CleanupLockKey})", other, tx);
            await take.ExecuteScalarAsync();

            Assert.Null(await archive.DeleteExpiredAsync());
            Assert.Equal(1, await database.CountAsync("SELECT COUNT(*) FROM roll_permalinks"));
        }

        Assert.Equal(1, await archive.DeleteExpiredAsync());
        Assert.Equal(0, await database.CountAsync("SELECT COUNT(*) FROM roll_permalinks"));
    }
}
