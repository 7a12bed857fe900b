using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Live;

/// <summary>
/// A heartbeat sends the roster only when presence changed since the last roster this page got: the first heartbeat of a page
/// whose room did not change sends nothing but its comment (issue 22: every new page sent the roster again at its first heartbeat).
/// </summary>
public abstract class FirstHeartbeatTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Live:HeartbeatInterval"] = "00:00:00.300",
    };

    [Fact]
    public async Task The_first_heartbeat_of_a_page_in_an_unchanged_room_sends_no_roster()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        // A first tab makes Alice present and tells the room (its own player-joined event), before the page under test opens:
        // the second tab finds her present, so nothing about the room changes while it runs.
        await using var first = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await first.NextOfTypeAsync("player-joined", 2); // the roster on connecting, then the room's event of her joining
        await using var page = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");

        var onConnecting = await page.EventsUntilCommentAsync();
        var afterFirstHeartbeat = await page.EventsUntilCommentAsync();
        var afterSecondHeartbeat = await page.EventsUntilCommentAsync();

        Assert.Contains(onConnecting, e => e.Type == "player-joined"); // the roster as the page connects
        Assert.DoesNotContain(afterFirstHeartbeat, e => e.Type is "player-joined" or "player-left");
        Assert.DoesNotContain(afterSecondHeartbeat, e => e.Type is "player-joined" or "player-left");
    }

    [Fact]
    public async Task A_new_page_gets_its_roster_on_connecting_and_the_room_s_event_of_its_joining_and_no_roster_at_its_heartbeats()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await using var page = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");

        var rosters = new List<SseEvent>();
        var onConnecting = await page.EventsUntilCommentAsync();
        rosters.AddRange(onConnecting.Where(e => e.Type == "player-joined"));
        // The room's event of her joining travels through the store (Valkey's channel): on a loaded machine it may come after
        // several heartbeats (three were not always enough under two full test runs). Read heartbeat by heartbeat until it is
        // there (at most 100), then two heartbeats more, which must bring no roster.
        async Task ReadToNextHeartbeatAsync() =>
            rosters.AddRange((await page.EventsUntilCommentAsync()).Where(e => e.Type is "player-joined" or "player-left"));

        for (var heartbeat = 0; heartbeat < 100 && rosters.Count < 2; heartbeat++)
        {
            await ReadToNextHeartbeatAsync();
        }

        await ReadToNextHeartbeatAsync();
        await ReadToNextHeartbeatAsync();

        Assert.Equal(["player-joined", "player-joined"], rosters.Select(e => e.Type));
    }
}

public sealed class FirstHeartbeatEmbeddedTests : FirstHeartbeatTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class FirstHeartbeatValkeyTests(ValkeyServer valkey) : FirstHeartbeatTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
