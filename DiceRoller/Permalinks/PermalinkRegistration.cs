using DiceRoller.Rooms;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DiceRoller.Permalinks;

public static class PermalinkRegistration
{
    /// <summary>
    /// The permalink archive of <c>Permalinks:Provider</c> (migrated before the app serves) and its cleanup job. A
    /// connection string that is not the provider's (a PostgreSQL one with <c>sqlite</c>, a file with <c>postgresql</c>)
    /// stops the app at start with a message saying so.
    /// </summary>
    public static IServiceCollection AddPermalinks(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = configuration[$"{PermalinkOptions.Section}:{nameof(PermalinkOptions.Provider)}"];
        var connectionString = configuration.GetConnectionString("Permalinks");
        if (string.IsNullOrWhiteSpace(connectionString) && !string.Equals(provider, PermalinkProviders.PostgreSql, StringComparison.Ordinal))
        {
            connectionString = $"Data Source={Path.Combine(environment.ContentRootPath, "data", "permalinks.db")}";
        }

        services.AddSingleton<IValidateOptions<PermalinkOptions>>(new ConnectionStringCheck(connectionString));
        if (string.Equals(provider, PermalinkProviders.PostgreSql, StringComparison.Ordinal))
        {
            services.AddSingleton<IPermalinkArchive>(sp =>
                new PostgresPermalinkStore(connectionString!, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<PermalinkOptions>>()));
        }
        else
        {
            // The SQLite store is also resolvable as itself (code that needs SQLite specifics, e.g. a file backup).
            services.AddSingleton(sp =>
                new SqlitePermalinkStore(connectionString!, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<PermalinkOptions>>()));
            services.AddSingleton<IPermalinkArchive>(sp => sp.GetRequiredService<SqlitePermalinkStore>());
        }

        services.AddSingleton<IRollArchive>(sp => sp.GetRequiredService<IPermalinkArchive>());
        services.AddRollArchiveGroupCommit(configuration);
        services.AddSingleton<RollProofs>();
        services.AddHostedService<PermalinkMigration>();
        services.AddSingleton<PermalinkCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<PermalinkCleanup>());
        return services;
    }

    /// <summary>Why <paramref name="connectionString"/> cannot be <paramref name="provider"/>'s, or null when it can.</summary>
    internal static string? ConnectionStringProblem(string provider, string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return $"ConnectionStrings:Permalinks is empty; Permalinks:Provider {provider} needs its connection string "
                + "(e.g. Host=db;Database=diceroller;Username=diceroller;Password=...).";
        }

        if (provider == PermalinkProviders.PostgreSql)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                if (string.IsNullOrWhiteSpace(builder.Host) || connectionString.Contains("Data Source", StringComparison.OrdinalIgnoreCase))
                {
                    return "ConnectionStrings:Permalinks is not a PostgreSQL connection string (no Host=...; a SQLite file?) "
                        + "but Permalinks:Provider is postgresql. Set Permalinks:Provider to sqlite, or give Host=...;Database=...;Username=...";
                }
            }
            catch (ArgumentException)
            {
                return "ConnectionStrings:Permalinks is not a PostgreSQL connection string (a SQLite file?) but Permalinks:Provider is postgresql. "
                    + "Set Permalinks:Provider to sqlite, or give Host=...;Database=...;Username=...";
            }

            return null;
        }

        try
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.DataSource)
                ? "ConnectionStrings:Permalinks names no SQLite file (Data Source=...) but Permalinks:Provider is sqlite."
                : null;
        }
        catch (ArgumentException)
        {
            return "ConnectionStrings:Permalinks is not a SQLite connection string (a PostgreSQL one?) but Permalinks:Provider is sqlite. "
                + "Set Permalinks:Provider to postgresql, or give Data Source=PATH.db";
        }
    }

    private sealed class ConnectionStringCheck(string? connectionString) : IValidateOptions<PermalinkOptions>
    {
        public ValidateOptionsResult Validate(string? name, PermalinkOptions options) =>
            ConnectionStringProblem(options.Provider, connectionString) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }

    /// <summary>Brings the schema up to date before anything else starts.</summary>
    private sealed class PermalinkMigration(IPermalinkArchive store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
