using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>The walking skeleton in a real browser: two people, one room, live rolls; on both stores.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class LiveRoomTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    private const double MaxLatencyMs = 1000;

    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task Host_sees_joining_players_roll_live_within_a_second_without_reload(string store)
    {
        var server = await servers.GetAsync(store);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");

        var code = await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        if (store == Stores.Valkey)
        {
            Assert.True(await server.ValkeyHasRoomAsync(code), $"Room {code} is not in Valkey.");
        }

        var marker = await alice.MarkPageAsync();
        var navigations = alice.Navigations;

        await bob.JoinAsync(code);
        await bob.WaitUntilLiveAsync();
        await Expect(alice.Roster).ToHaveCountAsync(2);
        await Expect(alice.Roster.Filter(new() { HasText = "Bob" })).ToHaveCountAsync(1);

        var rollId = await bob.RollAsync("1d20");
        var row = alice.Page.Locator($"ol#feed > li[data-roll-id='{rollId}']");
        await Expect(row).ToHaveCountAsync(1);
        var latency = await alice.RowSeenAtAsync(rollId) - await bob.RollClickedAtAsync();
        output.WriteLine($"{store}: Bob's roll {rollId} reached Alice's feed {latency:F0} ms after the click.");

        Assert.InRange(latency, 0, MaxLatencyMs);
        Assert.Equal(marker, await alice.PageMarkerAsync());
        Assert.Equal(navigations, alice.Navigations);
        Assert.Equal(await bob.Page.Locator("#roll-result > li").GetAttributeAsync("data-player-id"), await row.GetAttributeAsync("data-player-id"));
        await Expect(row.Locator("[data-formula]")).ToHaveTextAsync("1d20");
    }

    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task Both_players_see_the_same_rolls_in_the_same_order_when_rolling_at_once(string store)
    {
        const int Rounds = 3;
        var server = await servers.GetAsync(store);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        var code = await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        await bob.JoinAsync(code);
        await bob.WaitUntilLiveAsync();

        var rolled = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            rolled.AddRange(await Task.WhenAll(alice.RollAsync("1d20"), bob.RollAsync("2d6+1")));
        }

        await Expect(alice.Feed).ToHaveCountAsync(2 * Rounds);
        await Expect(bob.Feed).ToHaveCountAsync(2 * Rounds);
        var aliceRows = await alice.FeedRowsAsync();
        var bobRows = await bob.FeedRowsAsync();

        Assert.Equal(aliceRows, bobRows);
        Assert.Equal(rolled.Order(StringComparer.Ordinal), aliceRows.Select(r => r.RollId).Order(StringComparer.Ordinal));
        FeedAssert.NewestFirstWithoutGaps(aliceRows);
    }

    /// <summary>
    /// A panel the stream replaces whole (roster, door, DC, initiative: <c>hx-swap="outerHTML"</c>) takes the second of two
    /// events that come one right after the other, as a busy room's or a slow phone's do (several events read from the
    /// stream in one go). htmx wires a swapped-in element to the stream only when it settles, 20 ms later by default; an
    /// event in between found no listener and was lost, and the panel stayed wrong until the page reloaded (a player removed
    /// from the room still listed). The events here are the page's own panels, each marked, dispatched on the page's stream.
    /// </summary>
    [Fact]
    public async Task A_panel_replaced_by_the_stream_takes_the_next_event_that_comes_right_after()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var dana = await Person.OpenAsync(chromium, server.BaseAddress, "Dana");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        var code = await dana.CreateRoomAsync("dm-led");
        await bob.JoinAsync(code);
        await Task.WhenAll(dana.WaitUntilLiveAsync(), bob.WaitUntilLiveAsync());
        await Expect(dana.Roster).ToHaveCountAsync(2);

        var results = await dana.Page.EvaluateAsync<string[]>("""
            () => {
              const source = document.querySelector("[sse-connect]")["htmx-internal-data"].sseEventSource;
              return [...document.querySelectorAll("[sse-swap][hx-swap^='outerHTML']")].map(panel => {
                const id = panel.id, name = panel.getAttribute("sse-swap").split(",")[0].trim();
                for (const mark of ["first", "second"]) {
                  const next = panel.cloneNode(true);
                  next.dataset.e2eMark = mark;
                  source.dispatchEvent(new MessageEvent(name, { data: next.outerHTML }));
                }
                return `${id}=${document.getElementById(id)?.dataset.e2eMark}`;
              });
            }
            """);
        output.WriteLine(string.Join(", ", results));
        Assert.Superset(new HashSet<string> { "roster-panel=second", "door-panel=second", "dc-panel=second" }, results.ToHashSet());
        Assert.All(results, r => Assert.EndsWith("=second", r, StringComparison.Ordinal));
    }
}
