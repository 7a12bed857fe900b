using System.Net;
using AngleSharp.Html.Parser;
using DiceRoller.Dice;
using DiceRoller.Live;
using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Live;

/// <summary>The SSE contract of <c>GET /rooms/{code}/events</c>, on both stores.</summary>
public abstract class LiveStreamTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    /// <summary>The app's roll log, appending without announcing the roll (as when its message is lost).</summary>
    protected virtual IRollLog QuietLog => App.Services.GetRequiredService<IRoomStore>();

    private static readonly HtmlParser Parser = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Live:HeartbeatInterval"] = "00:00:00.300",
    };

    // A roll event is the roll's row, and for the others' pages also the phone strip's line out of band (no data-roll-id).
    protected static string RollIdOf(SseEvent e) => RowOf(e).GetAttribute("data-roll-id")!;

    private static string SequenceOf(SseEvent e) => RowOf(e).GetAttribute("data-sequence")!;

    private static AngleSharp.Dom.IElement RowOf(SseEvent e) =>
        Parser.ParseFragment(e.Data, Parser.ParseDocument("").Body!).OfType<AngleSharp.Dom.IElement>().Single(el => el.HasAttribute("data-roll-id"));

    [Fact]
    public async Task The_stream_is_text_event_stream_and_sends_each_roll_as_its_fragment_with_the_sequence_as_id()
    {
        await using var table = await Table.Open().Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        await using var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.All(stream.Response.Content.Headers.ContentEncoding, e => Assert.Equal("identity", e));
        var row = await bob.RollAsync(code, "2d8", "1");
        var received = (await stream.NextOfTypeAsync("roll", 1)).Single();

        Assert.Equal("1", received.Id);
        // Bob's roll on Alice's stream: its row, then its line of the phone's "At the table" strip, out of band.
        var elements = Parser.ParseFragment(received.Data, Parser.ParseDocument("").Body!).OfType<AngleSharp.Dom.IElement>().ToList();
        Assert.Equal(2, elements.Count);
        Assert.Equal("afterbegin:#table-rolls", elements[1].GetAttribute("hx-swap-oob"));
        var live = elements[0];
        Assert.Equal(row.OuterHtml, live.OuterHtml);
        Assert.Equal(row.GetAttribute("data-roll-id"), live.GetAttribute("data-roll-id"));
        Assert.NotNull(live.GetAttribute("data-total"));
    }

    [Fact]
    public async Task One_hundred_concurrent_rolls_from_eight_players_arrive_gap_free_in_one_order_that_a_reload_repeats()
    {
        await using var table = await Table.Open().Players([.. Enumerable.Range(2, 7).Select(i => $"P{i}")]).BuildAsync(App);
        var (code, alice) = table;
        var players = table.Everyone;

        await using var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync(); // connected
        var rolled = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => players[i % 8].RollAsync(code))));
        var events = await stream.NextOfTypeAsync("roll", 100, TimeSpan.FromSeconds(20));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => e.Id));
        Assert.Equal(events.Select(e => e.Id), events.Select(SequenceOf));
        Assert.Equal(rolled.Select(r => r.GetAttribute("data-roll-id")).Order(), events.Select(RollIdOf).Order());
        var reloaded = (await players[3].GetAsync($"/rooms/{code}")).FeedRolls.Select(r => r.GetAttribute("data-roll-id"));
        Assert.Equal(events.Select(RollIdOf).Reverse().Take(50), reloaded);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    public async Task A_reconnecting_client_gets_every_roll_after_its_last_id_once_in_order(string how)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        for (var i = 0; i < 5; i++)
        {
            await alice.RollAsync(code);
        }

        await using var stream = how == "header"
            ? await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events", lastEventId: "2")
            : await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=2");
        var replayed = await stream.NextOfTypeAsync("roll", 3);
        await alice.RollAsync(code);
        var live = await stream.NextOfTypeAsync("roll", 1);

        Assert.Equal(["3", "4", "5"], replayed.Select(e => e.Id));
        Assert.Equal(["6"], live.Select(e => e.Id));
        await stream.AssertNoEventAsync("roll", TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task A_gap_in_the_live_feed_is_filled_from_history_without_duplicates()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await alice.RollAsync(code);
        await using var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=1");
        await stream.NextAsync(); // connected

        // Two rolls reach history but their messages are lost (as Valkey pub/sub may lose them);
        // then a third message arrives: the stream must notice the gap and send 2, 3, 4 in order.
        var store = App.Services.GetRequiredService<IRoomStore>();
        var room = (await store.GetAsync(code))!;
        var me = room.Players[0];
        Roll NewRoll() => new(Guid.NewGuid().ToString(), code, 0, me.PlayerId, me.Name, 0, "1d6", 6, 1, 0, Advantage.None, [4], null, 4, false, false, null);
        await QuietLog.AppendAsync(NewRoll(), 0);
        await QuietLog.AppendAsync(NewRoll(), 0);
        var third = (await QuietLog.AppendAsync(NewRoll(), 0))!;
        App.Services.GetRequiredService<RoomBroadcaster>().Deliver(RoomEvent.ForRoll(third));
        App.Services.GetRequiredService<RoomBroadcaster>().Deliver(RoomEvent.ForRoll(third));

        var events = await stream.NextOfTypeAsync("roll", 3);
        Assert.Equal(["2", "3", "4"], events.Select(e => e.Id));
        await stream.AssertNoEventAsync("roll", TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task A_resync_after_a_lost_connection_sends_what_was_missed()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await using var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync(); // connected
        var store = App.Services.GetRequiredService<IRoomStore>();
        var me = (await store.GetAsync(code))!.Players[0];
        await store.AppendAsync(new Roll(Guid.NewGuid().ToString(), code, 0, me.PlayerId, me.Name, 0, "1d4", 4, 1, 0, Advantage.None, [2], null, 2, false, false, null), 0);

        App.Services.GetRequiredService<RoomBroadcaster>().ResyncAll();

        Assert.Equal(["1"], (await stream.NextOfTypeAsync("roll", 1)).Select(e => e.Id));
    }

    /// <summary>
    /// Pub/sub delivers at most once: a kick, a DC or a lock whose event never reached a page used to stay wrong on it until it
    /// reloaded (the heartbeat compared presence only). The store changes here with no event at all; the heartbeats' reads of
    /// the room put the DM's roster, DC and door right, and end the page of the player who is no longer in the room.
    /// </summary>
    [Fact]
    public async Task A_heartbeat_puts_right_a_roster_dc_and_lock_whose_events_were_lost_and_ends_a_removed_players_page()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob", "Cleo").BuildAsync(App);
        var (code, dee, bob) = table;
        await using var deeStream = await SseReader.OpenAsync(dee.Client, $"/rooms/{code}/events?after=0");
        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        await deeStream.EventsUntilCommentAsync();
        var store = App.Services.GetRequiredService<IRoomStore>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var bobPlayer = (await store.GetAsync(code))!.Players.Single(p => p.Name == "Bob");

        Assert.True(await store.KickAsync(code, bobPlayer, now));
        Assert.True(await store.SetDcAsync(code, 12, now));
        Assert.True(await store.SetLockedAsync(code, true, now));

        // Events already on their way (Bob's and Cleo's pages joining) may come first: read heartbeat by heartbeat (at most
        // 100, 30 s) until each panel shows the store's state.
        var shown = new ShownPanels("Bob");
        for (var heartbeat = 0; heartbeat < 100 && (shown.Names is null || shown.Dc != "12" || shown.Locked != "true"); heartbeat++)
        {
            foreach (var e in await deeStream.EventsUntilCommentAsync())
            {
                shown.Take(e);
            }
        }

        Assert.NotNull(shown.Names);
        Assert.Equal(["Dee", "Cleo"], shown.Names);
        Assert.Equal("12", shown.Dc);
        Assert.Equal("true", shown.Locked);
        var notice = (await bobStream.NextOfTypeAsync("player-kicked", 1)).Single();
        Assert.Contains("You were removed from this room.", notice.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeat_comments()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await using var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");

        // Within 10 s: generous for a loaded machine against the 300 ms set here, and still short of the 15 s default
        // heartbeat, so an interval that ignored its option would fail.
        var comment = await stream.NextCommentAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith(":", comment, StringComparison.Ordinal);
        await alice.RollAsync(code);
        Assert.Single(await stream.NextOfTypeAsync("roll", 1));
    }

    [Fact]
    public async Task Others_see_a_player_join_live()
    {
        using var alice = App.NewBrowser();
        using var bob = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await using var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync(); // connected

        await bob.JoinAsync(code, "Bob");
        AngleSharp.Dom.IElement roster;
        do
        {
            var joined = (await stream.NextOfTypeAsync("player-joined", 1)).Single();
            roster = Parser.ParseFragment(joined.Data, Parser.ParseDocument("").Body!).OfType<AngleSharp.Dom.IElement>().Single();
        }
        while (roster.QuerySelectorAll("[data-player-id]").Length < 2);

        Assert.Equal("roster-panel", roster.Id);
        Assert.Equal(["Alice", "Bob"], roster.QuerySelectorAll("[data-player-id] .font-medium").Select(e => e.TextContent));
    }

    [Fact]
    public async Task Only_members_may_open_the_stream()
    {
        using var alice = App.NewBrowser();
        using var stranger = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        using var forbidden = await stranger.Client.GetAsync($"/rooms/{code}/events", HttpCompletionOption.ResponseHeadersRead);
        using var missing = await stranger.Client.GetAsync("/rooms/NOPE-0000/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}

public sealed class LiveStreamEmbeddedTests(SharedApp shared) : LiveStreamTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class LiveStreamValkeyTests(ValkeyServer valkey, SharedApp shared) : LiveStreamTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;

    /// <summary>A store that leaves the announcement to the caller (it waits for replicas first): the rolls' messages never go out.</summary>
    protected override IRollLog QuietLog => new ValkeyRoomStore(valkey.Connection, Microsoft.Extensions.Options.Options.Create(new RoomOptions()),
        TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new ValkeyOptions { RollReplicaAcks = 1, RollReplicaTimeout = TimeSpan.FromMilliseconds(1) }));

    [Fact]
    public async Task Two_app_instances_sharing_one_valkey_share_rooms_and_live_rolls()
    {
        await using var second = new AppFactory(valkey.ConnectionString);
        using var alice = App.NewBrowser();
        using var bob = second.NewBrowser();
        var code = await alice.CreateRoomAsync();
        await bob.JoinAsync(code, "Bob");
        await using var aliceStream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        await aliceStream.NextAsync();
        await bobStream.NextAsync();

        var bobsRoll = await bob.RollAsync(code);
        var alicesRoll = await alice.RollAsync(code);

        Assert.Equal([bobsRoll.GetAttribute("data-roll-id"), alicesRoll.GetAttribute("data-roll-id")],
            (await aliceStream.NextOfTypeAsync("roll", 2)).Select(e => RollIdOf(e)));
        Assert.Equal([bobsRoll.GetAttribute("data-roll-id"), alicesRoll.GetAttribute("data-roll-id")],
            (await bobStream.NextOfTypeAsync("roll", 2)).Select(e => RollIdOf(e)));
    }
}
