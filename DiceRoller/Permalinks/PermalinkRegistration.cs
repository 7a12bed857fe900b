using DiceRoller.Rooms;
using Microsoft.Extensions.Options;

namespace DiceRoller.Permalinks;

public static class PermalinkRegistration
{
    /// <summary>The SQLite store (migrated before the app serves) and its cleanup job.</summary>
    public static IServiceCollection AddPermalinks(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var connectionString = configuration.GetConnectionString("Permalinks");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = $"Data Source={Path.Combine(environment.ContentRootPath, "data", "permalinks.db")}";
        }

        services.AddSingleton(sp => new PermalinkStore(connectionString, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PermalinkOptions>>()));
        services.AddSingleton<IRollArchive>(sp => sp.GetRequiredService<PermalinkStore>());
        services.AddSingleton<RollProofs>();
        services.AddHostedService<PermalinkMigration>();
        services.AddSingleton<PermalinkCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<PermalinkCleanup>());
        return services;
    }

    /// <summary>Brings the schema up to date before anything else starts.</summary>
    private sealed class PermalinkMigration(PermalinkStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
