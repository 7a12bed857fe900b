using Npgsql;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server the PostgreSQL tests talk to: the private one <c>scripts/test.sh</c> started
/// (<c>DICEROLLER_TEST_POSTGRES</c>, a connection string). Each test gets a schema of its own
/// (<see cref="NewDatabaseAsync"/>), so tests run side by side without seeing each other's rows.
/// In the fast tier (not set, not a full run) it connects to nothing and its tests are skipped (<see cref="Tiers"/>);
/// in a full run not available is a failure with a clear message.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly List<string> _schemas = [];

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (Tiers.Skipped(Tiers.Postgres))
        {
            return;
        }

        var configured = Environment.GetEnvironmentVariable("DICEROLLER_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                "DICEROLLER_TEST_POSTGRES is not set. Run the tests with `bash scripts/test.sh`, which installs PostgreSQL and starts a private server.");
        }

        ConnectionString = configured;
        await using var connection = new NpgsqlConnection(configured);
        await connection.OpenAsync();
    }

    /// <summary>A connection string whose tables land in a new, empty schema (<c>Search Path</c>).</summary>
    public async Task<string> NewDatabaseAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await create.ExecuteNonQueryAsync();
        }

        lock (_schemas)
        {
            _schemas.Add(schema);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (ConnectionString.Length == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var schema in _schemas)
        {
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
