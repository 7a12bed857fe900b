using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DiceRoller.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>Logs that never leak a hidden roll, health endpoints, and who may read /metrics.</summary>
public abstract partial class ObservabilityTests : AppTest
{
    // A hidden 10d100+7 whose dice are known: 97 93 91 89 98 94 92 96 95 99, total 951.
    private static readonly int[] HiddenDice = [97, 93, 91, 89, 98, 94, 92, 96, 95, 99];
    private const int HiddenTotal = 951;

    /// <summary>Every log event, written exactly as production writes it (the JSON formatter of stdout).</summary>
    private sealed class CapturedLog : ILogEventSink
    {
        private readonly Lock _gate = new();
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            Observability.JsonFormatter.Format(logEvent, writer);
            lock (_gate)
            {
                _lines.Add(writer.ToString().Trim());
            }
        }
    }

    /// <summary>Known d100 faces; everything else (room codes, ids) from the OS generator.</summary>
    private sealed class D100Script(int[] faces) : DiceRoller.Dice.IRandomSource
    {
        private readonly Queue<int> _faces = new(faces);
        private readonly DiceRoller.Dice.CryptoRandomSource _os = new();

        public int NextInt(int minInclusive, int maxExclusive) =>
            (minInclusive, maxExclusive) == (1, 101) && _faces.TryDequeue(out var face) ? face : _os.NextInt(minInclusive, maxExclusive);
    }

    [Fact]
    public async Task No_log_line_of_a_game_with_a_hidden_roll_holds_its_dice_or_total()
    {
        var log = new CapturedLog();
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["Serilog:MinimumLevel:Default"] = "Debug",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Debug",
        };
        await using var factory = new AppFactory(ValkeyConnection, settings) { Random = new D100Script(HiddenDice) };
        await using var app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(log)));
        using var dm = new Browser(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), "Dm/1.0");
        using var player = new Browser(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }), "Player/1.0");

        var code = await dm.CreateRoomAsync("Dee", "dm-led");
        await player.JoinAsync(code, "Bob");
        await using var stream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events");
        var rolled = await dm.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "10d100"), ("modifier", "7"), ("advantage", "none"), ("hidden", "true"));
        Assert.Equal(HttpStatusCode.OK, rolled.Status);
        var rollId = rolled.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
        Assert.Equal(HiddenTotal.ToString(System.Globalization.CultureInfo.InvariantCulture),
            rolled.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-total")); // the DM sees it: the dice were the scripted ones
        var seen = await stream.NextOfTypeAsync("roll", 1);
        Assert.False(TotalAlone().IsMatch(seen[0].Data), "the hidden total is in the stream: " + seen[0].Data); // not inside a hex hash
        await player.GetAsync($"/rooms/{code}");
        await player.GetAsync($"/roll/{rollId}");
        await player.GetAsync($"/api/permalink/{rollId}");
        await dm.GetAsync($"/rooms/{code}");

        var lines = log.Lines;
        Assert.Contains(lines, l => l.Contains(rollId, StringComparison.Ordinal)); // the roll itself is logged, by id
        var leaks = lines.Where(Leaks).ToList();
        Assert.True(leaks.Count == 0, "log lines with the hidden roll's values:\n" + string.Join('\n', leaks));

        // The detector is not blind: the same values, logged, are caught.
        app.Services.GetRequiredService<ILogger<ObservabilityTests>>().LogInformation("canary {Total} {Dice}", HiddenTotal, HiddenDice);
        Assert.Contains(log.Lines, l => l.Contains("canary", StringComparison.Ordinal) && Leaks(l));
    }

    [Theory]
    [InlineData(200, 12, false, false, LogEventLevel.Debug)]
    [InlineData(303, 12, false, false, LogEventLevel.Debug)]
    [InlineData(404, 12, false, false, LogEventLevel.Information)]
    [InlineData(429, 12, false, false, LogEventLevel.Information)]
    [InlineData(200, 1500, false, false, LogEventLevel.Warning)]
    [InlineData(200, 3_600_000, false, true, LogEventLevel.Debug)] // an event stream is long by design
    [InlineData(500, 12, false, false, LogEventLevel.Error)]
    [InlineData(200, 12, true, false, LogEventLevel.Error)]
    public void A_request_line_has_the_level_its_outcome_deserves(int status, double elapsedMs, bool failed, bool stream, LogEventLevel expected) =>
        Assert.Equal(expected, new RequestLogOptions().LevelOf(status, elapsedMs, failed, stream));

    [Theory]
    [InlineData("Debug", "Debug")] // the default: below production's Information minimum, so not written
    [InlineData("Information", "Information")] // an access log again
    public async Task A_request_that_succeeds_is_logged_at_the_success_level_and_a_client_error_at_information(string successLevel, string expected)
    {
        var log = new CapturedLog();
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["Serilog:MinimumLevel:Default"] = "Debug", // every line reaches the capture, with its level
            ["RequestLog:SuccessLevel"] = successLevel,
            ["RequestLog:SlowAfter"] = "01:00:00", // a loaded machine must not turn these into slow-request Warnings
        };
        await using var factory = new AppFactory(ValkeyConnection, settings);
        await using var app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ILogEventSink>(log)));
        using var browser = new Browser(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), "Log/1.0");

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/roll/no-such-roll")).Status);

        // The line is written as the request ends, which can be just after the client has the response: wait for it.
        async Task<string> LevelOfAsync(string path)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                foreach (var line in log.Lines)
                {
                    var e = JsonDocument.Parse(line).RootElement;
                    if (e.TryGetProperty("RequestPath", out var p) && p.GetString() == path)
                    {
                        return e.TryGetProperty("@l", out var level) ? level.GetString()! : "Information"; // CLEF omits Information
                    }
                }

                Assert.True(DateTime.UtcNow < deadline, $"no request line for {path}");
                await Task.Delay(20); // a poll, not a blocked pool thread: the app writing the line runs on the same pool
            }
        }

        Assert.Equal(expected, await LevelOfAsync("/"));
        Assert.Equal("Information", await LevelOfAsync("/roll/no-such-roll"));
    }

    [Fact]
    public async Task Liveness_answers_while_readiness_reports_valkey_and_sqlite()
    {
        using var browser = App.NewBrowser();
        using var live = await browser.Client.GetAsync(new Uri("/api/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("alive", JsonDocument.Parse(await live.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());

        foreach (var path in new[] { "/api/health/ready", "/api/health" })
        {
            using var ready = await browser.Client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
            Assert.Equal(ValkeyConnection is null ? "embedded" : "connected", body.RootElement.GetProperty("services").GetProperty("valkey").GetString());
            Assert.Equal("connected", body.RootElement.GetProperty("services").GetProperty("database").GetString());
        }
    }

    [Fact]
    public async Task Readiness_fails_when_sqlite_is_out_of_reach_but_liveness_does_not()
    {
        var settings = new Dictionary<string, string?>(Settings) { ["Permalinks:CleanupInterval"] = "1.00:00:00" };
        await using var factory = new AppFactory(ValkeyConnection, settings);
        using var browser = factory.NewBrowser();
        await browser.GetAsync("/api/health/live");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(Path.Combine(factory.DataDirectory, "permalinks.db"));
        Directory.Delete(factory.DataDirectory, recursive: true);

        using var ready = await browser.Client.GetAsync(new Uri("/api/health/ready", UriKind.Relative));
        using var live = await browser.Client.GetAsync(new Uri("/api/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_refused_to_other_networks_by_default()
    {
        using var browser = App.NewBrowser(); // requests come from 10.x.x.x (AppFactory.ClientAddress)
        using var response = await browser.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_format_to_a_configured_network()
    {
        var settings = new Dictionary<string, string?>(Settings) { ["Metrics:AllowedNetworks:0"] = "10.0.0.0/8" };
        await using var factory = new AppFactory(ValkeyConnection, settings);
        using var browser = factory.NewBrowser();
        var code = await browser.CreateRoomAsync("Alma");
        await browser.RollAsync(code);

        using var response = await browser.Client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var family in new[] { "diceroller_rolls", "diceroller_roll_fanout_duration", "diceroller_streams_open", "diceroller_rooms_active",
                     "diceroller_players_connected", "diceroller_permalink_writes", "diceroller_permalink_writes_pending", "diceroller_http_responses" })
        {
            Assert.Matches(new Regex($"(?m)^# TYPE {family} (counter|gauge|histogram)$"), text);
        }
    }

    [Fact]
    public void A_bad_metrics_network_stops_the_app_with_a_message_naming_the_key()
    {
        var settings = new Dictionary<string, string?>(Settings) { ["Metrics:AllowedNetworks:0"] = "not-a-network" };
        using var factory = new AppFactory(ValkeyConnection, settings);
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Metrics:AllowedNetworks", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>True when a JSON log line holds the hidden total as a number of its own, or the dice in order.</summary>
    private static bool Leaks(string line) => TotalAlone().IsMatch(line) || DiceInOrder().IsMatch(line);

    // 951 not inside a longer number, a time (…51.951Z), a hex id or a GUID.
    [GeneratedRegex(@"(?<![0-9A-Fa-f.\-])951(?![0-9A-Fa-f.\-])")]
    private static partial Regex TotalAlone();

    [GeneratedRegex(@"97\D{1,4}93\D{1,4}91\D{1,4}89")]
    private static partial Regex DiceInOrder();
}

public sealed class ObservabilityEmbeddedTests : ObservabilityTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ObservabilityValkeyTests(ValkeyServer valkey) : ObservabilityTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
