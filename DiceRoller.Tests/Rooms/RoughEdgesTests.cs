using System.Net;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// What a real evening hit (issue 23), on both stores: a page without JavaScript counts as present, leaving says where you
/// left, the formula field starts empty, and the phone's "At the table" strip gets the others' rolls (page and stream).
/// </summary>
public abstract class RoughEdgesTests : AppTest
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Live:HeartbeatInterval"] = "00:00:15" };

    private AppFactory Clocked => _app ??= new AppFactory(ValkeyConnection, Settings) { Clock = _clock };

    private AppFactory? _app;

    public override async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private static AngleSharp.Dom.IElement Entry(Page page, string playerId) =>
        page.Document.QuerySelector($"#roster [data-player-id='{playerId}']")!;

    [Fact]
    public async Task A_page_without_javascript_keeps_its_player_present_with_no_live_updates_until_its_heartbeat_stops()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(Clocked);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        Assert.Equal("false", Entry(await alice.GetAsync($"/rooms/{code}"), bobId).GetAttribute("data-connected"));

        // Bob's page carries the heartbeat frame inside <noscript> (loaded only when scripts are off).
        var bobsPage = await bob.GetAsync($"/rooms/{code}");
        var noscript = bobsPage.Document.QuerySelector("#connection-status noscript")!;
        Assert.Contains($"src=\"/rooms/{code}/present\"", noscript.InnerHtml, StringComparison.Ordinal);

        using var beat = await bob.Client.GetAsync($"/rooms/{code}/present");
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        var html = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await beat.Content.ReadAsStringAsync());
        Assert.Equal("15", html.QuerySelector("meta[http-equiv=refresh]")!.GetAttribute("content"));
        Assert.Equal("SAMEORIGIN", beat.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'self'", beat.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var entry = Entry(await alice.GetAsync($"/rooms/{code}"), bobId);
        Assert.Equal("true", entry.GetAttribute("data-connected"));
        Assert.Equal("false", entry.GetAttribute("data-live"));
        Assert.Equal("online, no live updates", entry.QuerySelector("[data-presence]")!.TextContent.Trim());

        // Each heartbeat keeps him present for three intervals; when the page closes (no more heartbeats), he goes offline.
        _clock.Advance(TimeSpan.FromSeconds(40));
        using (var again = await bob.Client.GetAsync($"/rooms/{code}/present"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        _clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal("true", Entry(await alice.GetAsync($"/rooms/{code}"), bobId).GetAttribute("data-connected"));
        _clock.Advance(TimeSpan.FromSeconds(10));
        entry = Entry(await alice.GetAsync($"/rooms/{code}"), bobId);
        Assert.Equal("false", entry.GetAttribute("data-connected"));
        Assert.Equal("offline", entry.QuerySelector("[data-presence]")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_heartbeat_from_someone_not_in_the_room_is_refused_and_marks_nobody_present()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(Clocked);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        using var stranger = Clocked.NewBrowser("Stranger/1");

        using var refused = await stranger.Client.GetAsync($"/rooms/{code}/present");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("false", Entry(await alice.GetAsync($"/rooms/{code}"), bobId).GetAttribute("data-connected"));
        Assert.All((await alice.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]"),
            li => Assert.Equal("false", li.GetAttribute("data-live")));
    }

    [Fact]
    public async Task A_live_stream_beats_a_page_without_javascript_the_player_shows_online()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(Clocked);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        using (await bob.Client.GetAsync($"/rooms/{code}/present"))
        {
        }

        await using var stream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync(); // connected: the stream's presence is recorded

        var entry = Entry(await alice.GetAsync($"/rooms/{code}"), bobId);
        Assert.Equal("true", entry.GetAttribute("data-live"));
        Assert.Equal("online", entry.QuerySelector("[data-presence]")!.TextContent.Trim());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Leaving_says_on_the_home_page_which_room_you_left_once(bool htmx)
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, _, bob) = table;
        await bob.GetAsync($"/rooms/{code}");

        var left = await bob.PostAsync($"/rooms/{code}/leave", [], htmx);

        Assert.Equal(htmx ? HttpStatusCode.OK : HttpStatusCode.SeeOther, left.Status);
        Assert.Equal(htmx ? null : "/", left.Location); // a fixed place: nothing in the answer can send anyone elsewhere
        var home = await bob.GetAsync("/");
        var said = home.Document.QuerySelector("[data-left-room]")!;
        Assert.Equal(code, said.GetAttribute("data-left-room"));
        Assert.Equal($"You left {code}.", said.TextContent.Trim());
        Assert.Null((await bob.GetAsync("/")).Document.QuerySelector("[data-left-room]")); // said once
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("https://evil.example/")]
    [InlineData("ALPHA-12345")]
    public async Task A_forged_left_cookie_shows_nothing(string value)
    {
        using var visitor = App.NewBrowser("Visitor/1");
        await visitor.GetAsync("/");
        visitor.Cookies.Add(visitor.Client.BaseAddress!, new Cookie("diceroller_left", Uri.EscapeDataString(value), "/"));

        var home = await visitor.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, home.Status);
        Assert.Null(home.Document.QuerySelector("[data-left-room]"));
    }

    [Fact]
    public async Task The_formula_field_starts_empty_with_a_placeholder_and_after_a_roll_too()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var field = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roll-dice")!;
        Assert.Equal("", field.GetAttribute("value") ?? "");
        Assert.False(string.IsNullOrWhiteSpace(field.GetAttribute("placeholder")));

        var rolled = await alice.PostAsync($"/rooms/{code}/rolls", ("dice", "2d8+1 stealth"), ("modifier", "0"), ("advantage", "none"));
        Assert.Equal(HttpStatusCode.SeeOther, rolled.Status);
        Assert.Equal("", (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roll-dice")!.GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task The_table_strip_shows_the_others_three_newest_rolls_and_the_stream_sends_each_new_one_out_of_band()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;
        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        await using var deeStream = await SseReader.OpenAsync(dee.Client, $"/rooms/{code}/events?after=0");
        await bobStream.NextAsync();
        await deeStream.NextAsync();

        var rolls = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            rolls.Add((await dee.RollAsync(code, "2d6")).GetAttribute("data-roll-id")!);
        }

        var secret = (await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d10"), ("modifier", "0"), ("advantage", "none"), ("hidden", "true")))
            .Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;

        // Bob's stream: each of Dee's rolls carries its strip line, out of band; the hidden one without its values.
        var events = await bobStream.NextOfTypeAsync("roll", 5);
        for (var i = 0; i < 5; i++)
        {
            var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(events[i].Data);
            Assert.NotNull(document.QuerySelector("li.roll[data-roll-id]")); // the feed row is still the event's first element
            var line = document.QuerySelector("[hx-swap-oob='afterbegin:#table-rolls'] > li[data-table-roll]")!;
            Assert.Equal(i < 4 ? rolls[i] : secret, line.GetAttribute("data-table-roll"));
            if (i == 4)
            {
                Assert.DoesNotContain("3d10", HexText.SetAside(line.OuterHtml), StringComparison.Ordinal); // ids set aside
                Assert.Contains("in secret", line.TextContent, StringComparison.Ordinal);
            }
        }

        // Dee's own stream: her rolls are hers, not "the others'".
        foreach (var own in await deeStream.NextOfTypeAsync("roll", 5))
        {
            Assert.Null(new AngleSharp.Html.Parser.HtmlParser().ParseDocument(own.Data).QuerySelector("[data-table-roll]"));
        }

        var bobsLines = (await bob.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#table-rolls > li[data-table-roll]");
        Assert.Equal([secret, rolls[3], rolls[2]], bobsLines.Select(l => l.GetAttribute("data-table-roll")));
        Assert.Empty((await dee.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#table-rolls > li"));
    }

    [Fact]
    public async Task A_reveal_replaces_the_strip_line_that_said_in_secret_on_every_page_that_shows_it_dm_included()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob", "Ann").BuildAsync(App);
        var (code, dee, bob, ann) = table;
        var secret = (await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d10"), ("modifier", "0"), ("advantage", "none"), ("hidden", "true")))
            .Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
        // Dee hands the DM role to Bob: her hidden roll stays hers (only she reveals it), and Bob's strip shows it "in secret".
        var handedOver = await dee.HtmxPostAsync($"/rooms/{code}/dm", ("player_id", await bob.MyIdAsync(code)));
        Assert.Equal(HttpStatusCode.OK, handedOver.Status);
        foreach (var viewer in new[] { bob, ann })
        {
            var before = (await viewer.GetAsync($"/rooms/{code}")).Document.QuerySelector($"#table-rolls > li[data-table-roll='{secret}']")!;
            Assert.Contains("in secret", before.TextContent, StringComparison.Ordinal);
        }

        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=1");
        await using var annStream = await SseReader.OpenAsync(ann.Client, $"/rooms/{code}/events?after=1");
        await using var deeStream = await SseReader.OpenAsync(dee.Client, $"/rooms/{code}/events?after=1");
        // A roll that every stream gets: the room's events reach this instance from here on (on Valkey, once it subscribed).
        var later = (await dee.RollAsync(code, "1d4")).GetAttribute("data-roll-id");
        foreach (var stream in new[] { bobStream, annStream, deeStream })
        {
            Assert.Equal(later, (await stream.NextOfTypeAsync("roll", 1)).Single().Element().GetAttribute("data-roll-id"));
        }

        var revealed = await dee.HtmxPostAsync($"/rooms/{code}/rolls/{secret}/reveal");
        Assert.Equal(HttpStatusCode.OK, revealed.Status);

        foreach (var stream in new[] { bobStream, annStream })
        {
            var reveal = (await stream.NextOfTypeAsync("roll-revealed", 1)).Single();
            var row = reveal.Element(); // the feed row stays the event's first element (its sentence is the one said)
            Assert.Equal(secret, row.GetAttribute("data-roll-id"));
            var lines = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(reveal.Data).QuerySelectorAll("li[data-table-roll]");
            var line = Assert.Single(lines);
            Assert.Equal(secret, line.GetAttribute("data-table-roll"));
            Assert.Equal($"outerHTML:[data-table-roll='{secret}']", line.GetAttribute("hx-swap-oob"));
            Assert.Contains("3d10", line.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain("in secret", line.TextContent, StringComparison.Ordinal);
            Assert.Equal(row.GetAttribute("data-total"), line.QuerySelector(".table-roll-total")!.TextContent.Trim());
        }

        // Dee's own strip never had her roll: her reveal event is the row alone.
        var own = (await deeStream.NextOfTypeAsync("roll-revealed", 1)).Single();
        Assert.Null(new AngleSharp.Html.Parser.HtmlParser().ParseDocument(own.Data).QuerySelector("[data-table-roll]"));

        // Without JavaScript, the next page load shows it revealed.
        foreach (var viewer in new[] { bob, ann })
        {
            var after = (await viewer.GetAsync($"/rooms/{code}")).Document.QuerySelector($"#table-rolls > li[data-table-roll='{secret}']")!;
            Assert.Contains("3d10", after.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain("in secret", after.TextContent, StringComparison.Ordinal);
            Assert.Null(after.GetAttribute("hx-swap-oob"));
        }
    }

    [Fact]
    public async Task When_a_page_without_javascript_closes_the_live_rosters_say_so_at_their_next_heartbeat()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(Clocked);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        async Task BeatAsync()
        {
            using var beat = await bob.Client.GetAsync($"/rooms/{code}/present"); // Bob's frame (re)loads: present for 3 x 15 s
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        }

        static string? PresenceOf(SseEvent roster, string playerId) =>
            roster.Element().QuerySelector($"[data-player-id='{playerId}'] [data-presence]")?.TextContent.Trim();

        await BeatAsync();
        await using var stream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync(); // connected
        Assert.Equal("online, no live updates", PresenceOf(await stream.NextAsync(), bobId)); // the roster as it is

        // Alice rolls three times, each once the stream has the one before. The first two may come from history ahead of events
        // queued for the stream: the stream's catch-up on connecting, and on Valkey the resync when this instance's subscription
        // of the room comes up, which reads history after her first roll and may find her second there too, before her own
        // join's message (if it came at all: published before the subscription was live, it never comes) reaches the page.
        // The third is published after both, so it comes through the room's channel, in order, after everything published
        // before it, her join included.
        for (var i = 0; i < 3; i++)
        {
            var roll = (await alice.RollAsync(code)).GetAttribute("data-roll-id");
            SseEvent next;
            do
            {
                next = await stream.NextAsync();
                Assert.True(next.Type is "player-joined" or "dc-updated" or "door-changed" or "initiative" or "roll", next.Type);
            }
            while (next.Type != "roll" || next.Element().GetAttribute("data-roll-id") != roll);
        }

        // Heartbeats while Bob's page is open send nothing. His frame loads at 15 s and 30 s; each window checked here ends
        // by 60 s, so no heartbeat in it can see his presence lapse (at 75 s).
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(15));
            Assert.Empty(await stream.EventsUntilCommentAsync()); // what came before this heartbeat (since the last): nothing
            if (i < 2)
            {
                await BeatAsync();
            }
        }

        // t = 75 s: Bob's page closed after its load at 30 s, so his presence lapses now; Alice's heartbeat sees it and says so.
        _clock.Advance(TimeSpan.FromSeconds(15));
        var lapse = await stream.NextAsync();
        Assert.Equal("player-left", lapse.Type);
        var roster = lapse.Element();
        Assert.Equal(bobId, roster.GetAttribute("data-changed-player-id"));
        Assert.Equal("disconnect", roster.GetAttribute("data-reason"));
        Assert.Equal("Bob is offline.", roster.QuerySelector("[data-roster-note]")!.TextContent.Trim());
        Assert.Equal("false", roster.QuerySelector($"[data-player-id='{bobId}']")!.GetAttribute("data-connected"));
        Assert.Equal("offline", PresenceOf(lapse, bobId));

        // Said once: the next heartbeat sends nothing; Bob's page opening again tells the room as before.
        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Empty(await stream.EventsUntilCommentAsync());
        await BeatAsync();
        SseEvent back;
        do
        {
            // The heartbeat just written may read the room after Bob's load and send the roster first, without a word.
            back = await stream.NextAsync();
            Assert.Equal("player-joined", back.Type);
            Assert.Equal("online, no live updates", PresenceOf(back, bobId));
        }
        while (back.Element().GetAttribute("data-changed-player-id") is null);

        Assert.Equal(bobId, back.Element().GetAttribute("data-changed-player-id"));
        Assert.Equal("Bob joined the room.", back.Element().QuerySelector("[data-roster-note]")!.TextContent.Trim());
    }
}

public sealed class RoughEdgesEmbeddedTests : RoughEdgesTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class RoughEdgesValkeyTests(ValkeyServer valkey) : RoughEdgesTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;

    [Fact]
    public async Task A_heartbeat_taken_by_one_instance_shows_the_player_present_on_another()
    {
        await using var other = new AppFactory(ValkeyConnection, Settings);
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        using var aliceOnOther = new Browser(other.CreateDefaultClient(new Uri("http://localhost"),
            new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(alice.Cookies)), "Alice/1.0", alice.Cookies);

        using (var beat = await bob.Client.GetAsync($"/rooms/{code}/present"))
        {
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        }

        var entry = (await aliceOnOther.GetAsync($"/rooms/{code}")).Document.QuerySelector($"#roster [data-player-id='{bobId}']")!;
        Assert.Equal("true", entry.GetAttribute("data-connected"));
        Assert.Equal("online, no live updates", entry.QuerySelector("[data-presence]")!.TextContent.Trim());
    }
}
