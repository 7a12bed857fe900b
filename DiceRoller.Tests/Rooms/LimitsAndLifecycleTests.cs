using System.Net;
using AngleSharp.Dom;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>Rate limits (on both stores) and the room's time-to-live, warnings and expiry (driven by a fake clock).</summary>
public abstract class RateLimitTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rooms:RollLimit"] = "10",
        ["Rooms:RollWindow"] = "00:10:00", // on Valkey the window runs on the real clock: a loaded CI machine took over 1 s for single rolls
        ["Rooms:CreateLimit"] = "1",
        ["Rooms:CreateWindow"] = "00:05:00",
        ["Rooms:JoinLimit"] = "3",
        ["Rooms:JoinWindow"] = "00:01:00",
    };

    [Fact]
    public async Task The_eleventh_roll_in_one_window_is_RATE_LIMIT_429_and_says_when_to_retry()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        for (var i = 0; i < 10; i++)
        {
            await alice.RollAsync(code);
        }

        var refused = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("RATE_LIMIT", refused.ErrorCode);
        Assert.Matches(@"at most 10 rolls every 600 seconds\. Try again in \d+ s", refused.ErrorText);
        Assert.Equal(10, (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Count);
    }

    [Fact]
    public async Task A_second_room_from_the_same_address_within_five_minutes_is_RATE_LIMIT()
    {
        using var alice = App.NewBrowser();
        await alice.CreateRoomAsync();

        var second = await alice.PostAsync("/rooms", ("player_name", "Alice"), ("mode", "open"));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.Status);
        Assert.Equal("RATE_LIMIT", second.ErrorCode);
        Assert.Contains("5 minutes", second.ErrorText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Guessing_room_codes_is_slowed_down()
    {
        using var guesser = App.NewBrowser();
        var codes = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((await guesser.PostAsync("/join", ("room_code", $"GUESS-000{i}"), ("player_name", "Eve"))).ErrorCode);
        }

        Assert.Equal(["ROOM_NOT_FOUND", "ROOM_NOT_FOUND", "ROOM_NOT_FOUND", "RATE_LIMIT"], codes);
    }
}

public sealed class RateLimitEmbeddedTests : RateLimitTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class RateLimitValkeyTests(ValkeyServer valkey) : RateLimitTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}

public sealed class RoomLifecycleTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory _app = null!;

    public Task InitializeAsync()
    {
        _app = new AppFactory(settings: new Dictionary<string, string?>
        {
            ["Live:HeartbeatInterval"] = "00:00:15",
            ["Rooms:DmLedRoomTtl"] = "00:30:00",
            ["Rooms:OpenRoomTtl"] = "05:00:00",
        })
        { Clock = _clock };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Moves the fake clock forward in small steps, so timers due on the way fire in order.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        var step = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, by.Ticks / 100));
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            _clock.Advance(by - moved < step ? by - moved : step);
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Activity_pushes_expiry_back_and_an_open_room_lives_five_hours()
    {
        using var alice = _app.NewBrowser();
        var code = await alice.CreateRoomAsync("Alice", "open");
        await AdvanceAsync(TimeSpan.FromHours(4));
        await alice.RollAsync(code);
        await AdvanceAsync(TimeSpan.FromHours(4));

        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/rooms/{code}")).Status);
        Assert.NotNull((await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#feed"));
        await AdvanceAsync(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/rooms/{code}")).Status);
    }

    [Fact]
    public async Task A_dm_who_reconnects_keeps_the_role()
    {
        await using var table = await Table.DmLed("Dee").Players("Pat").BuildAsync(_app);
        var (code, dm, player) = table;
        await using var playerStream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events?after=0");
        await playerStream.NextAsync();
        var dmStream = await SseReader.OpenAsync(dm.Client, $"/rooms/{code}/events?after=0");
        await dmStream.NextAsync();

        await dmStream.DisposeAsync();
        IElement roster;
        do
        {
            roster = (await playerStream.NextOfTypeAsync("player-left", 1)).Single().Element();
        }
        while (roster.QuerySelector("[data-connected=true] .badge") is { TextContent: "DM" } || roster.QuerySelectorAll("[data-connected=false]").Length == 0);

        Assert.Contains("reconnecting", roster.QuerySelectorAll("[data-player-id]")[0].TextContent, StringComparison.Ordinal);
        await AdvanceAsync(TimeSpan.FromSeconds(45));
        await using var back = await SseReader.OpenAsync(dm.Client, $"/rooms/{code}/events?after=0");
        var hidden = await dm.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));
        Assert.Equal(HttpStatusCode.OK, hidden.Status);
        Assert.NotNull((await dm.GetAsync($"/rooms/{code}")).Document.QuerySelector("#dc-panel form"));
    }
}
