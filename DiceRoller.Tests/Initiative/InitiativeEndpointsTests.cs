using System.Net;
using AngleSharp.Dom;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Initiative;

/// <summary>The initiative tracker through the HTTP contract (htmx and plain forms, DM and players, live), on both stores.</summary>
public abstract class InitiativeEndpointsTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    /// <summary>The DM's monster rolls count against the roll limit: room for a full order (40 entries) in one go.</summary>
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Rooms:RollLimit"] = "100" };

    /// <summary>A DM-led room with Dee as DM and Bob and Ann joined.</summary>
    private static readonly TablePlan Combat = Table.DmLed("Dee").Players("Bob", "Ann");

    private static IElement Tracker(Page page) => page.Document.QuerySelector("[data-initiative]")
        ?? throw new InvalidOperationException($"no tracker in: {page.Body[..Math.Min(400, page.Body.Length)]}");

    private static List<IElement> Entries(IElement tracker) => [.. tracker.QuerySelectorAll("[data-initiative-entry]")];

    private static string[] Names(IElement tracker) => [.. Entries(tracker).Select(e => e.GetAttribute("data-name")!)];

    /// <summary>What the tracker says (order, totals, turn, round), without the per-page form tokens.</summary>
    private static string State(IElement tracker) =>
        string.Join("|", Entries(tracker).Select(e => $"{e.GetAttribute("data-name")}={e.GetAttribute("data-total")}:{e.GetAttribute("aria-current")}"))
        + ";round " + tracker.GetAttribute("data-round");

    private static string? CurrentName(IElement tracker) => tracker.QuerySelector("[data-initiative-entry][aria-current='true']")?.GetAttribute("data-name");

    private static async Task<IElement> RoomTrackerAsync(Browser browser, string code) => Tracker(await browser.GetAsync($"/rooms/{code}"));

    private static Task<Page> StartAsync(Browser dm, string code, bool htmx = true) =>
        dm.PostAsync($"/rooms/{code}/initiative", [], htmx);

    private static Task<Page> InitiativeRollAsync(Browser player, string code, string modifier = "0", bool htmx = true) =>
        player.PostAsync($"/rooms/{code}/rolls", [new("initiative", "1"), new("dice", ""), new("modifier", modifier), new("advantage", "none")], htmx);

    private static Task<Page> MonstersAsync(Browser dm, string code, string name, string bonus = "0", string count = "1", bool hidden = false, bool htmx = true) =>
        dm.PostAsync($"/rooms/{code}/initiative/monsters",
            [new("name", name), new("bonus", bonus), new("count", count), new("hidden", hidden ? "true" : "")], htmx);

    private static void AssertOk(Page page) =>
        Assert.True(page.Status is HttpStatusCode.OK or HttpStatusCode.SeeOther, $"{(int)page.Status} {page.ErrorCode}: {page.ErrorText}");

    [Fact]
    public async Task The_dm_starts_an_encounter_with_htmx_and_gets_the_tracker_and_every_page_follows_live()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        Assert.True((await RoomTrackerAsync(bob, code)).HasAttribute("hidden")); // no encounter: nothing for players
        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        var onConnect = (await bobStream.NextOfTypeAsync("initiative", 1)).Single().Element();
        Assert.True(onConnect.HasAttribute("hidden"));

        var started = await StartAsync(dee, code);
        var live = (await bobStream.NextOfTypeAsync("initiative", 1)).Single().Element();

        Assert.Equal(HttpStatusCode.OK, started.Status);
        var tracker = Tracker(started);
        Assert.Equal("1", tracker.GetAttribute("data-round"));
        Assert.NotNull(tracker.QuerySelector("form[action$='/initiative/next']"));
        Assert.Equal("1", live.GetAttribute("data-round"));
        Assert.False(live.HasAttribute("hidden"));
        Assert.Null(live.QuerySelector("form[action*='/initiative/']")); // a player gets no DM controls
        Assert.NotNull(live.QuerySelector("button[form='roll-form'][name='initiative'][value='1']"));
    }

    [Fact]
    public async Task A_plain_post_starts_it_with_303_and_the_reloaded_page_shows_it()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;

        var started = await StartAsync(dee, code, htmx: false);

        Assert.Equal(HttpStatusCode.SeeOther, started.Status);
        Assert.Equal($"/rooms/{code}#initiative", started.Location);
        Assert.Equal("1", (await RoomTrackerAsync(bob, code)).GetAttribute("data-round"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_second_encounter_while_one_runs_is_refused_and_changes_nothing(bool htmx)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));
        AssertOk(await InitiativeRollAsync(bob, code));

        var again = await StartAsync(dee, code, htmx);

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("ENCOUNTER_RUNNING", again.ErrorCode);
        Assert.Contains("End it", again.ErrorText, StringComparison.Ordinal);
        Assert.Equal(["Bob"], Names(await RoomTrackerAsync(dee, code)));
    }

    [Fact]
    public async Task An_htmx_error_goes_to_the_trackers_error_line()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee) = table;

        var next = await dee.HtmxPostAsync($"/rooms/{code}/initiative/next");

        Assert.Equal(HttpStatusCode.Conflict, next.Status);
        Assert.Equal("NO_ENCOUNTER", next.ErrorCode);
        Assert.Equal("#initiative-error", (await RawAsync(dee, $"/rooms/{code}/initiative/next")).Headers.GetValues("HX-Retarget").Single());
        Assert.NotNull((await RoomTrackerAsync(dee, code)).QuerySelector("#initiative-error"));
    }

    private static async Task<HttpResponseMessage> RawAsync(Browser browser, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", browser.Token!)]),
        };
        request.Headers.Add("HX-Request", "true");
        request.Headers.UserAgent.ParseAdd("Dee/1.0");
        return await browser.Client.SendAsync(request);
    }

    public static TheoryData<string, string[]> DmRoutes => new()
    {
        { "", [] },
        { "/next", [] },
        { "/previous", [] },
        { "/end", [] },
        { "/monsters", ["name", "Goblin", "bonus", "2", "count", "2"] },
        { "/entries/ENTRY", ["total", "12"] },
        { "/entries/ENTRY/remove", [] },
    };

    [Theory]
    [MemberData(nameof(DmRoutes))]
    public async Task A_player_posting_a_dm_action_is_refused_with_not_dm_and_nothing_changes(string route, string[] fields)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));
        AssertOk(await InitiativeRollAsync(bob, code));
        var before = State(await RoomTrackerAsync(dee, code));
        var entry = Entries(await RoomTrackerAsync(dee, code)).Single().GetAttribute("data-entry-id")!;
        var form = fields.Chunk(2).Select(f => new KeyValuePair<string, string>(f[0], f[1])).ToList();

        foreach (var htmx in new[] { true, false })
        {
            var refused = await bob.PostAsync($"/rooms/{code}/initiative{route.Replace("ENTRY", entry, StringComparison.Ordinal)}", form, htmx);

            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Equal("NOT_DM", refused.ErrorCode);
        }

        Assert.Equal(before, State(await RoomTrackerAsync(dee, code)));
        Assert.Single((await dee.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Theory]
    [InlineData("/next")]
    [InlineData("/previous")]
    [InlineData("/end")]
    [InlineData("/monsters")]
    [InlineData("/entries/some-entry")]
    [InlineData("/entries/some-entry/remove")]
    public async Task Dm_actions_with_no_encounter_running_are_refused_with_no_encounter(string route)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee) = table;

        foreach (var htmx in new[] { true, false })
        {
            var refused = await dee.PostAsync($"/rooms/{code}/initiative{route}", [new("name", "Goblin"), new("total", "3")], htmx);

            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("NO_ENCOUNTER", refused.ErrorCode);
        }

        Assert.Empty((await dee.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_initiative_roll_with_no_encounter_running_is_refused_and_rolls_nothing(bool htmx)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, _, bob) = table;

        var refused = await InitiativeRollAsync(bob, code, htmx: htmx);

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("NO_ENCOUNTER", refused.ErrorCode);
        Assert.Empty((await bob.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_players_initiative_when_the_order_is_full_is_refused_before_it_is_rolled(bool htmx)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));
        foreach (var kind in new[] { "Goblin", "Orc", "Rat", "Bat" })
        {
            AssertOk(await MonstersAsync(dee, code, kind, count: "10"));
        }

        Assert.Equal(40, Entries(await RoomTrackerAsync(bob, code)).Count);
        var rollsBefore = (await bob.GetAsync($"/rooms/{code}")).FeedRolls.Count;

        var refused = await InitiativeRollAsync(bob, code, htmx: htmx);

        Assert.Equal("INVALID_INITIATIVE", refused.ErrorCode);
        Assert.Contains("full", refused.ErrorText, StringComparison.Ordinal);
        Assert.Equal(rollsBefore, (await bob.GetAsync($"/rooms/{code}")).FeedRolls.Count);
        Assert.DoesNotContain("Bob", Names(await RoomTrackerAsync(dee, code)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_players_initiative_is_an_ordinary_roll_with_a_permalink_that_lands_in_the_order(bool htmx)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));

        var rolled = await InitiativeRollAsync(bob, code, modifier: "3", htmx: htmx);

        AssertOk(rolled);
        var row = (await bob.GetAsync($"/rooms/{code}")).FeedRolls.Single();
        Assert.Equal("initiative", row.QuerySelector("[data-label]")!.TextContent.Trim());
        Assert.Contains("1d20+3", row.TextContent, StringComparison.Ordinal);
        var permalink = row.QuerySelector("a[data-permalink]")!.GetAttribute("href")!;
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync(permalink)).Status);
        foreach (var viewer in table.Everyone)
        {
            var entry = Entries(await RoomTrackerAsync(viewer, code)).Single();
            Assert.Equal(("Bob", row.GetAttribute("data-total")), (entry.GetAttribute("data-name"), entry.GetAttribute("data-total")));
        }

        Assert.Null((await RoomTrackerAsync(bob, code)).QuerySelector("[data-roll-initiative]")); // rolled already

        var again = await InitiativeRollAsync(bob, code, htmx: htmx);
        Assert.Equal("INVALID_INITIATIVE", again.ErrorCode);
        Assert.Single((await bob.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task Initiative_rolls_of_one_player_sent_at_the_same_instant_roll_once_and_take_one_place()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob, ann) = table;
        AssertOk(await StartAsync(dee, code));
        await bob.GetAsync($"/rooms/{code}"); // the form token the posts carry

        // Two tabs and a double submit (with JavaScript and without), each its own request id, all at once.
        var posts = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => bob.PostAsync($"/rooms/{code}/rolls",
            [new("initiative", "1"), new("dice", ""), new("modifier", "2"), new("advantage", "none"), new("request_id", $"tab-{i}")],
            htmx: i % 2 == 0)));

        var made = Assert.Single(posts, p => p.Status is HttpStatusCode.OK or HttpStatusCode.SeeOther);
        Assert.All(posts.Where(p => !ReferenceEquals(p, made)), p => Assert.Equal(((HttpStatusCode)422, "INVALID_INITIATIVE"), (p.Status, p.ErrorCode)));
        using var log = System.Text.Json.JsonDocument.Parse(await bob.Client.GetStringAsync($"/rooms/{code}/log.json"));
        Assert.Equal(1, log.RootElement.GetProperty("total_rolls").GetInt32());
        var rolled = (await bob.GetAsync($"/rooms/{code}")).FeedRolls.Single();
        foreach (var viewer in table.Everyone)
        {
            var entry = Entries(await RoomTrackerAsync(viewer, code)).Single();
            Assert.Equal(("Bob", rolled.GetAttribute("data-total")), (entry.GetAttribute("data-name"), entry.GetAttribute("data-total")));
        }

        // The places held are all given back or taken: Ann rolls as before.
        AssertOk(await InitiativeRollAsync(ann, code));
        Assert.Equal(["Ann", "Bob"], Names(await RoomTrackerAsync(dee, code)).Order());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_same_initiative_request_sent_again_gets_its_roll_and_changes_nothing(bool htmx)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));
        await bob.GetAsync($"/rooms/{code}");
        KeyValuePair<string, string>[] form =
            [new("initiative", "1"), new("dice", ""), new("modifier", "1"), new("advantage", "none"), new("request_id", "once")];

        var first = await bob.PostAsync($"/rooms/{code}/rolls", form, htmx);
        AssertOk(first);
        var rolled = (await bob.GetAsync($"/rooms/{code}")).FeedRolls.Single();

        // A retry of that request (a lost answer), after its roll took its place: the same roll, no second roll or entry.
        var again = await bob.PostAsync($"/rooms/{code}/rolls", form, htmx);
        AssertOk(again);
        if (htmx)
        {
            Assert.Equal(rolled.GetAttribute("data-roll-id"), again.Document.QuerySelector("[data-roll-id]")?.GetAttribute("data-roll-id"));
        }

        using var log = System.Text.Json.JsonDocument.Parse(await bob.Client.GetStringAsync($"/rooms/{code}/log.json"));
        Assert.Equal(1, log.RootElement.GetProperty("total_rolls").GetInt32());
        var entry = Entries(await RoomTrackerAsync(dee, code)).Single();
        Assert.Equal(("Bob", rolled.GetAttribute("data-total")), (entry.GetAttribute("data-name"), entry.GetAttribute("data-total")));

        // A new request of the same player is still a second roll, and refused.
        var second = await bob.PostAsync($"/rooms/{code}/rolls",
            [new("initiative", "1"), new("dice", ""), new("modifier", "1"), new("advantage", "none"), new("request_id", "twice")], htmx);
        Assert.Equal(((HttpStatusCode)422, "INVALID_INITIATIVE"), (second.Status, second.ErrorCode));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_initiative_roll_the_roll_refuses_gives_its_place_back(bool htmx)
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));
        await bob.GetAsync($"/rooms/{code}");

        // Refused by the roll itself, after the place was held: a player cannot roll hidden.
        var refused = await bob.PostAsync($"/rooms/{code}/rolls",
            [new("initiative", "1"), new("dice", ""), new("modifier", "0"), new("advantage", "none"), new("hidden", "true"), new("request_id", "first")], htmx);
        Assert.Equal("HIDDEN_NOT_ALLOWED", refused.ErrorCode);

        // Not "being rolled already": the place was given back at once.
        AssertOk(await bob.PostAsync($"/rooms/{code}/rolls",
            [new("initiative", "1"), new("dice", ""), new("modifier", "0"), new("advantage", "none"), new("request_id", "second")], htmx));
        Assert.Equal(["Bob"], Names(await RoomTrackerAsync(dee, code)));
        Assert.Single((await bob.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task Hidden_monsters_show_as_a_question_mark_to_players_until_their_roll_is_revealed()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));
        await using var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        await bobStream.NextOfTypeAsync("initiative", 1); // the tracker on connect

        AssertOk(await MonstersAsync(dee, code, "Goblin", bonus: "3", count: "2", hidden: true));

        var deeTracker = await RoomTrackerAsync(dee, code);
        Assert.Equal(["Goblin 1", "Goblin 2"], Names(deeTracker).Order());
        Assert.All(Entries(deeTracker), e => Assert.NotEqual("?", e.GetAttribute("data-total")));
        var live = (await bobStream.NextOfTypeAsync("initiative", 1)).Single().Element();
        foreach (var tracker in new[] { live, await RoomTrackerAsync(bob, code) })
        {
            Assert.Equal(["?", "?"], Entries(tracker).Select(e => e.GetAttribute("data-total")));
            Assert.DoesNotContain(Entries(deeTracker)[0].GetAttribute("data-total")!, Entries(tracker).Select(e => e.TextContent));
        }

        // The goblins' two rolls, and when their totals tie (same bonus: 1 in 20) the roll-offs that settle them: all hidden to Bob.
        var deeFeed = (await dee.GetAsync($"/rooms/{code}")).FeedRolls;
        var labels = deeFeed.Select(r => r.QuerySelector("[data-label]")?.TextContent).ToList();
        Assert.Equal(["Goblin 1 initiative", "Goblin 2 initiative"], labels.Where(l => l?.EndsWith(" initiative", StringComparison.Ordinal) == true).Order());
        Assert.All(labels, l => Assert.Matches("^Goblin [12] (initiative|roll-off)$", l));
        Assert.Equal(Entries(deeTracker).Select(e => e.GetAttribute("data-total")).Distinct().Count() == 1, labels.Count > 2);
        var feed = (await bob.GetAsync($"/rooms/{code}")).FeedRolls;
        Assert.Equal(deeFeed.Select(r => r.GetAttribute("data-roll-id")), feed.Select(r => r.GetAttribute("data-roll-id")));
        Assert.All(feed, r => Assert.Equal("true", r.GetAttribute("data-hidden")));

        var goblin = Entries(deeTracker).Single(e => e.GetAttribute("data-name") == "Goblin 1");
        var reveal = goblin.QuerySelector("form[action$='/reveal']")!.GetAttribute("action")!;
        AssertOk(await dee.HtmxPostAsync(reveal));

        var shown = Entries(await RoomTrackerAsync(bob, code)).Single(e => e.GetAttribute("data-name") == "Goblin 1");
        Assert.Equal(goblin.GetAttribute("data-total"), shown.GetAttribute("data-total"));
        Assert.Equal("?", Entries(await RoomTrackerAsync(bob, code)).Single(e => e.GetAttribute("data-name") == "Goblin 2").GetAttribute("data-total"));
    }

    [Theory]
    [InlineData("A name far too long for any monster", "0", "1", "", "INVALID_INITIATIVE")]
    [InlineData("", "0", "1", "", "INVALID_INITIATIVE")]
    [InlineData("Goblin", "-21", "1", "", "INVALID_INITIATIVE")]
    [InlineData("Goblin", "31", "1", "", "INVALID_INITIATIVE")]
    [InlineData("Goblin", "99999999999999", "1", "", "INVALID_INITIATIVE")]
    [InlineData("Goblin", "0", "0", "", "INVALID_INITIATIVE")]
    [InlineData("Goblin", "0", "11", "", "INVALID_INITIATIVE")]
    [InlineData("Goblin", "0", "-1", "", "INVALID_INITIATIVE")]
    [InlineData("Goblin", "0", "1", "maybe", "INVALID_HIDDEN")]
    public async Task Bad_monster_input_gets_a_clear_message_and_changes_nothing(string name, string bonus, string count, string hidden, string code)
    {
        await using var table = await Combat.BuildAsync(App);
        var (room, dee) = table;
        AssertOk(await StartAsync(dee, room));

        foreach (var htmx in new[] { true, false })
        {
            var refused = await dee.PostAsync($"/rooms/{room}/initiative/monsters",
                [new("name", name), new("bonus", bonus), new("count", count), new("hidden", hidden)], htmx);

            Assert.Equal(code, refused.ErrorCode);
            Assert.Equal((HttpStatusCode)422, refused.Status);
            Assert.False(string.IsNullOrWhiteSpace(refused.ErrorText));
        }

        Assert.Empty(Entries(await RoomTrackerAsync(dee, room)));
        Assert.Empty((await dee.GetAsync($"/rooms/{room}")).FeedRolls);
    }

    [Fact]
    public async Task Next_walks_the_order_into_round_two_and_every_page_shows_the_same_turn()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob, ann) = table;
        AssertOk(await StartAsync(dee, code));
        AssertOk(await InitiativeRollAsync(bob, code));
        AssertOk(await InitiativeRollAsync(ann, code));
        AssertOk(await MonstersAsync(dee, code, "Ogre", bonus: "1"));
        var order = Names(await RoomTrackerAsync(dee, code));
        Assert.Equal(3, order.Length);
        await using var annStream = await SseReader.OpenAsync(ann.Client, $"/rooms/{code}/events?after=100");
        await annStream.NextOfTypeAsync("initiative", 1);

        IElement? answer = null;
        for (var i = 0; i < 4; i++)
        {
            var next = await dee.HtmxPostAsync($"/rooms/{code}/initiative/next");
            AssertOk(next);
            answer = Tracker(next);
        }

        var live = (await annStream.NextOfTypeAsync("initiative", 4))[^1].Element();
        Assert.Equal("2", answer!.GetAttribute("data-round"));
        Assert.Equal(order[0], CurrentName(answer));
        Assert.Equal($"Round 2: {order[0]}'s turn", live.GetAttribute("data-announce-turn"));
        foreach (var tracker in new[] { live, await RoomTrackerAsync(bob, code), await RoomTrackerAsync(ann, code), await RoomTrackerAsync(dee, code) })
        {
            Assert.Equal(("2", order[0]), (tracker.GetAttribute("data-round"), CurrentName(tracker)));
            Assert.Equal(order, Names(tracker));
        }

        var back = await dee.PostAsync($"/rooms/{code}/initiative/previous", []);
        Assert.Equal(HttpStatusCode.SeeOther, back.Status);
        var after = await RoomTrackerAsync(ann, code);
        Assert.Equal(("1", order[^1]), (after.GetAttribute("data-round"), CurrentName(after)));
    }

    [Fact]
    public async Task A_kicked_player_drops_out_of_the_order_and_their_turn_passes_on()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob, ann) = table;
        AssertOk(await StartAsync(dee, code));
        AssertOk(await InitiativeRollAsync(bob, code));
        AssertOk(await InitiativeRollAsync(ann, code));
        var bobId = await bob.MyIdAsync(code);
        var order = Names(await RoomTrackerAsync(dee, code));
        // Walk until it is Bob's turn.
        do
        {
            AssertOk(await dee.HtmxPostAsync($"/rooms/{code}/initiative/next"));
        }
        while (CurrentName(await RoomTrackerAsync(dee, code)) != "Bob");
        await using var annStream = await SseReader.OpenAsync(ann.Client, $"/rooms/{code}/events?after=100");
        await annStream.NextOfTypeAsync("initiative", 1);

        AssertOk(await dee.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", bobId)));

        var live = (await annStream.NextOfTypeAsync("initiative", 1)).Single().Element();
        Assert.Equal(["Ann"], Names(live));
        Assert.Equal("Ann", CurrentName(live));
        Assert.Equal(order[0] == "Bob" ? "1" : "2", live.GetAttribute("data-round"));
        var next = Tracker(await dee.HtmxPostAsync($"/rooms/{code}/initiative/next"));
        Assert.Equal(["Ann"], Names(next));
        Assert.Equal("Ann", CurrentName(next)); // never Bob again
    }

    [Fact]
    public async Task The_dm_edits_and_removes_entries_and_a_tie_is_settled_by_a_roll_off_the_table_sees()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob, ann) = table;
        AssertOk(await StartAsync(dee, code));
        AssertOk(await InitiativeRollAsync(bob, code));
        AssertOk(await InitiativeRollAsync(ann, code));
        var ids = Entries(await RoomTrackerAsync(dee, code)).ToDictionary(e => e.GetAttribute("data-name")!, e => e.GetAttribute("data-entry-id")!);

        AssertOk(await dee.HtmxPostAsync($"/rooms/{code}/initiative/entries/{ids["Bob"]}", ("total", "14"), ("bonus", "2")));
        var tied = await dee.PostAsync($"/rooms/{code}/initiative/entries/{ids["Ann"]}", ("total", "14"), ("bonus", "2"));

        Assert.Equal(HttpStatusCode.SeeOther, tied.Status);
        var feed = (await bob.GetAsync($"/rooms/{code}")).FeedRolls;
        var rollOffs = feed.Where(r => r.QuerySelector("[data-label]")?.TextContent.Trim() == "initiative roll-off").ToList();
        Assert.True(rollOffs.Count >= 2, "each tied player rolls off in the feed");
        Assert.Contains(rollOffs, r => r.TextContent.Contains("Bob", StringComparison.Ordinal));
        Assert.Contains(rollOffs, r => r.TextContent.Contains("Ann", StringComparison.Ordinal));
        var tracker = await RoomTrackerAsync(bob, code);
        Assert.All(Entries(tracker), e => Assert.Equal("14", e.GetAttribute("data-total")));
        var lastBob = int.Parse(rollOffs.First(r => r.TextContent.Contains("Bob", StringComparison.Ordinal)).GetAttribute("data-total")!, System.Globalization.CultureInfo.InvariantCulture);
        var lastAnn = int.Parse(rollOffs.First(r => r.TextContent.Contains("Ann", StringComparison.Ordinal)).GetAttribute("data-total")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(lastBob, lastAnn);
        Assert.Equal(lastBob > lastAnn ? ["Bob", "Ann"] : ["Ann", "Bob"], Names(tracker));

        var bad = await dee.HtmxPostAsync($"/rooms/{code}/initiative/entries/{ids["Bob"]}", ("total", "100"));
        Assert.Equal("INVALID_INITIATIVE", bad.ErrorCode);
        var missing = await dee.HtmxPostAsync($"/rooms/{code}/initiative/entries/nobody", ("total", "3"));
        Assert.Equal((HttpStatusCode.NotFound, "ENTRY_NOT_FOUND"), (missing.Status, missing.ErrorCode));

        AssertOk(await dee.HtmxPostAsync($"/rooms/{code}/initiative/entries/{ids["Bob"]}/remove"));
        Assert.Equal(["Ann"], Names(await RoomTrackerAsync(ann, code)));
    }

    [Fact]
    public async Task A_reconnecting_player_gets_the_current_tracker_first_and_ending_clears_it_everywhere()
    {
        await using var table = await Combat.BuildAsync(App);
        var (code, dee, bob) = table;
        AssertOk(await StartAsync(dee, code));
        AssertOk(await InitiativeRollAsync(bob, code));
        AssertOk(await dee.HtmxPostAsync($"/rooms/{code}/initiative/next"));

        await using (var reconnect = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=5"))
        {
            var current = (await reconnect.NextOfTypeAsync("initiative", 1)).Single().Element();
            Assert.Equal(("1", "Bob"), (current.GetAttribute("data-round"), CurrentName(current)));
        }

        var ended = await dee.HtmxPostAsync($"/rooms/{code}/initiative/end");

        AssertOk(ended);
        Assert.Null(Tracker(ended).GetAttribute("data-round"));
        Assert.NotNull(Tracker(ended).QuerySelector("form[action$='/initiative']"));
        Assert.True((await RoomTrackerAsync(bob, code)).HasAttribute("hidden"));
        Assert.Single((await bob.GetAsync($"/rooms/{code}")).FeedRolls); // the rolls stay in the feed
    }

    [Fact]
    public async Task An_open_room_has_no_dm_to_run_initiative()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice) = table;

        var refused = await StartAsync(alice, code);

        Assert.Equal("NOT_DM", refused.ErrorCode);
    }
}

public sealed class InitiativeEndpointsEmbeddedTests(SharedApp shared) : InitiativeEndpointsTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class InitiativeEndpointsValkeyTests(ValkeyServer valkey, SharedApp shared) : InitiativeEndpointsTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
