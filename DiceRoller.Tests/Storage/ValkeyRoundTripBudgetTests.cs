using System.Globalization;
using DiceRoller.Tests.Rolls.Support;
using DiceRoller.Tests.Storage.Support;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// The Valkey budget of a roll (issue 22): the commands the app sends to Valkey per roll, as the server itself saw them (its
/// <c>MONITOR</c> feed, on a private <c>redis-server</c> no other test talks to; the calls a script makes inside the server are
/// marked <c>lua</c> there and are not round trips), through the whole pipeline: the htmx post, the roll, the permalink, the
/// broadcast to every member's open stream (<see cref="RollLoop"/>). The store sends no batches or transactions, so each command
/// is one round trip. A change that adds one fails here with the figure and the commands by name. Also printed: the commands
/// executed per roll, scripts' own calls included (<c>INFO commandstats</c>). Stores tier: it needs <c>redis-server</c> (docs/testing.md).
/// </summary>
[Trait(Tiers.Trait, Tiers.Stores)]
public sealed class ValkeyRoundTripBudgetTests(PrivateValkeyServer valkey, ITestOutputHelper output) : IClassFixture<PrivateValkeyServer>, IAsyncLifetime
{
    /// <summary>
    /// Valkey commands (round trips) per roll, 8 members with a stream each: today's count; a change that raises it says why.
    /// Measured 2026-12-07: 8 before the roll post kept its room read (evalsha 2 for start and append, and the room read: hgetall,
    /// hvals, smembers, zrangebyscore, lrange, pttl); 2 after (issue 22, Valkey:RecentRoomTtl); 3 once the Discord outbox
    /// (issue 23) reads the room's share settings per public roll (hmget, off the roll's path; also for rooms without a webhook);
    /// 2 again once the room read the roll post keeps says whether the room has a webhook (RoomSnapshot.SharesRolls, from the
    /// meta hash the read fetches anyway): this room has none, so its rolls are not queued for Discord and read nothing.
    /// </summary>
    private const double RoundTripsPerRollBudget = 2;

    /// <summary>Stray commands tolerated over the measured rolls (0.1 a roll: five in fifty), so a background check never fails it.</summary>
    private const double Tolerance = 0.1;

    private const int Members = 8;
    private const int WarmupRolls = 5;
    private const int Rolls = 50;

    /// <summary>Commands that are not the app's work for a roll: this test's own (INFO, ECHO markers) and the client library's housekeeping.</summary>
    private static readonly string[] NotCounted = ["info", "config", "ping", "echo", "client", "cluster", "hello", "command", "monitor"];

    private AppFactory? _app;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_roll_on_valkey_makes_no_more_round_trips_than_its_budget()
    {
        _app = new AppFactory(valkey.ConnectionString, new Dictionary<string, string?>
        {
            // No heartbeat (a presence write) inside the measured loop.
            ["Live:HeartbeatInterval"] = "01:00:00",
        });
        await using var loop = await RollLoop.OpenAsync(_app, Members);
        for (var i = 0; i < WarmupRolls; i++)
        {
            await loop.RollAsync();
        }

        // A connection of this test's own that may read INFO, and the server's MONITOR feed (its commands are not counted, below).
        await using var admin = await ConnectionMultiplexer.ConnectAsync(valkey.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServers()[0];
        await using var monitor = await CommandMonitor.StartAsync(valkey.ConnectionString);
        await admin.GetDatabase().ExecuteAsync("ECHO", "budget-start");
        await monitor.ReadUntilAsync("budget-start");
        var before = await CommandCallsAsync(server);
        for (var i = 0; i < Rolls; i++)
        {
            await loop.RollAsync();
        }

        var after = await CommandCallsAsync(server);
        await admin.GetDatabase().ExecuteAsync("ECHO", "budget-end");
        var sent = await monitor.ReadUntilAsync("budget-end");

        var roundTrips = PerRoll(sent.Where(c => !Housekeeping(c.Key)).ToDictionary());
        var executed = PerRoll(after.Where(c => !Housekeeping(c.Key)).ToDictionary(c => c.Key, c => c.Value - before.GetValueOrDefault(c.Key)));
        var perRoll = roundTrips.Sum(c => c.PerRoll);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Valkey round trips per roll ({Members} members, {Members} streams, {Rolls} rolls; MONITOR, commands sent by clients): {perRoll:0.##} ({Figures(roundTrips)}); budget {RoundTripsPerRollBudget}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"commands executed per roll, scripts' own calls included (INFO commandstats): {executed.Sum(c => c.PerRoll):0.##} ({Figures(executed)})"));
        output.WriteLine($"not counted: {Figures(PerRoll(sent.Where(c => Housekeeping(c.Key)).ToDictionary()))}");
        Assert.True(perRoll <= RoundTripsPerRollBudget + Tolerance, string.Create(CultureInfo.InvariantCulture,
            $"A roll makes {perRoll:0.##} Valkey round trips ({Figures(roundTrips)}), over its budget of {RoundTripsPerRollBudget}: " +
            $"remove the new one, or, if it is worth it, raise {nameof(RoundTripsPerRollBudget)} and say why."));
    }

    private static List<(string Command, double PerRoll)> PerRoll(Dictionary<string, long> counts) =>
        [.. counts.Where(c => c.Value > 0).Select(c => (c.Key, (double)c.Value / Rolls)).OrderByDescending(c => c.Item2).ThenBy(c => c.Key, StringComparer.Ordinal)];

    private static string Figures(IEnumerable<(string Command, double PerRoll)> commands) =>
        string.Join(", ", commands.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Command} {c.PerRoll:0.##}")));

    /// <summary>A command (or subcommand, e.g. <c>client|setname</c>) of <see cref="NotCounted"/>.</summary>
    private static bool Housekeeping(string command) => NotCounted.Contains(command.Split('|')[0]);

    /// <summary>Calls per command since the server started (<c>cmdstat_evalsha:calls=12,...</c>), by lowercase command name.</summary>
    private static async Task<Dictionary<string, long>> CommandCallsAsync(IServer server)
    {
        var sections = await server.InfoAsync("commandstats");
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in sections.SelectMany(s => s))
        {
            if (!key.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var field = value.Split(',').First(f => f.StartsWith("calls=", StringComparison.Ordinal));
            calls[key["cmdstat_".Length..].ToLowerInvariant()] = long.Parse(field["calls=".Length..], CultureInfo.InvariantCulture);
        }

        return calls;
    }
}
