using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Permalinks;

/// <summary>Choosing the archive: <c>Permalinks:Provider</c> and <c>ConnectionStrings:Permalinks</c> must agree, or the app does not start.</summary>
public sealed class PermalinkProviderTests
{
    [Theory]
    [InlineData("sqlite", "Host=127.0.0.1;Port=5432;Database=diceroller;Username=diceroller", "is not a SQLite connection string")]
    [InlineData("postgresql", "Data Source=/var/lib/diceroller/permalinks.db", "is not a PostgreSQL connection string")]
    [InlineData("postgresql", "", "ConnectionStrings:Permalinks is empty")]
    [InlineData("mysql", "Server=db", "Permalinks:Provider must be sqlite or postgresql")]
    public void A_connection_string_of_another_provider_stops_the_app_at_start_with_a_clear_message(string provider, string connectionString, string message)
    {
        var error = AppFactory.StartFailure<OptionsValidationException>(() => new AppFactory(settings: new Dictionary<string, string?>
        {
            ["Permalinks:Provider"] = provider,
            ["ConnectionStrings:Permalinks"] = connectionString,
        }));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_sqlite_synchronous_setting_stops_the_app_at_start()
    {
        var error = AppFactory.StartFailure<OptionsValidationException>(
            () => new AppFactory(settings: new Dictionary<string, string?> { ["Permalinks:SqliteSynchronous"] = "off" }));
        Assert.Contains("Permalinks:SqliteSynchronous must be normal or full", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 1L)] // NORMAL: synced at checkpoints, survives the app being killed
    [InlineData("full", 2L)]
    public async Task The_sqlite_archive_syncs_as_configured(string? setting, long expected)
    {
        await using var app = new AppFactory(settings: new Dictionary<string, string?> { ["Permalinks:SqliteSynchronous"] = setting });
        using var client = app.CreateClient();
        var store = app.Services.GetRequiredService<DiceRoller.Permalinks.SqlitePermalinkStore>();

        Assert.Equal(expected, await store.PragmaAsync("synchronous"));
    }
}
