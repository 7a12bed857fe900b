using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Rooms;

/// <summary>The room rules of DM-led and open rooms through the HTTP contract, on both stores.</summary>
public abstract class GameRulesTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    /// <summary>A DM-led room with Dee as DM and Pat as a player.</summary>
    private static readonly TablePlan DmRoom = Table.DmLed("Dee").Players("Pat");

    private static Task<Page> HiddenRollAsync(Browser dm, string code) =>
        dm.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("modifier", "3"), ("advantage", "none"), ("hidden", "true"));

    [Fact]
    public async Task Hidden_roll_shows_no_value_to_players_anywhere_but_the_dm_sees_it()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        await using var playerStream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events?after=0");

        var rolled = await HiddenRollAsync(dm, code);
        var dmRow = rolled.Document.QuerySelector("[data-roll-id]")!;
        var live = (await playerStream.NextOfTypeAsync("roll", 1)).Single().Element();
        var reloaded = (await player.GetAsync($"/rooms/{code}")).FeedRolls.Single();
        var dmReloaded = (await dm.GetAsync($"/rooms/{code}")).FeedRolls.Single();

        Assert.Equal(HttpStatusCode.OK, rolled.Status);
        Assert.NotNull(dmRow.GetAttribute("data-total"));
        Assert.NotNull(dmReloaded.GetAttribute("data-total"));
        Assert.NotNull(dmReloaded.QuerySelector("form[action$='/reveal']"));
        foreach (var row in new[] { live, reloaded })
        {
            Assert.Equal("true", row.GetAttribute("data-hidden"));
            Assert.Null(row.GetAttribute("data-total"));
            Assert.Null(row.GetAttribute("data-dc-passed"));
            Assert.Empty(row.QuerySelectorAll(".die, [data-total-value], a[data-permalink], form"));
            Assert.Contains("Dee", row.TextContent, StringComparison.Ordinal);
            Assert.Null(row.QuerySelector("[data-formula]")); // the formula would tell the roll's size
            Assert.DoesNotContain("1d20", HexText.SetAside(row.OuterHtml), StringComparison.Ordinal); // ids and hashes set aside
        }

        var id = dmRow.GetAttribute("data-roll-id");
        using var json = await player.Client.GetAsync($"/api/permalink/{id}");
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        Assert.DoesNotContain("\"total\"", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reveal_replaces_the_roll_in_place_everywhere_and_opens_its_permalink()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        var id = (await HiddenRollAsync(dm, code)).Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
        await using var playerStream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events?after=1");

        var revealed = await dm.HtmxPostAsync($"/rooms/{code}/rolls/{id}/reveal");
        var live = (await playerStream.NextOfTypeAsync("roll-revealed", 1)).Single().Element();

        Assert.Equal(HttpStatusCode.OK, revealed.Status);
        Assert.Equal(id, live.GetAttribute("data-roll-id"));
        Assert.Equal($"outerHTML:[data-roll-id='{id}']", live.GetAttribute("hx-swap-oob"));
        Assert.NotNull(live.GetAttribute("data-total"));
        Assert.Single(live.QuerySelectorAll(".die"));
        var row = (await player.GetAsync($"/rooms/{code}")).FeedRolls.Single();
        Assert.Equal(live.GetAttribute("data-total"), row.GetAttribute("data-total"));
        using var json = await player.Client.GetAsync($"/api/permalink/{id}");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);

        var again = await dm.HtmxPostAsync($"/rooms/{code}/rolls/{id}/reveal");
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("ROLL_NOT_HIDDEN", again.ErrorCode);
    }

    [Fact]
    public async Task Reveal_is_refused_with_the_right_codes()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        var hidden = (await HiddenRollAsync(dm, code)).Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id")!;
        var open = (await dm.RollAsync(code)).GetAttribute("data-roll-id")!;

        var byPlayer = await player.HtmxPostAsync($"/rooms/{code}/rolls/{hidden}/reveal");
        var unknown = await dm.HtmxPostAsync($"/rooms/{code}/rolls/{Guid.NewGuid()}/reveal");
        var notHidden = await dm.HtmxPostAsync($"/rooms/{code}/rolls/{open}/reveal");
        var plain = await player.PostAsync($"/rooms/{code}/rolls/{hidden}/reveal");

        Assert.Equal((HttpStatusCode.Forbidden, "NOT_DM"), (byPlayer.Status, byPlayer.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "ROLL_NOT_FOUND"), (unknown.Status, unknown.ErrorCode));
        Assert.Equal((HttpStatusCode.Conflict, "ROLL_NOT_HIDDEN"), (notHidden.Status, notHidden.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_DM"), (plain.Status, plain.ErrorCode));
        Assert.NotNull(plain.Document.QuerySelector("#feed"));
        Assert.Null((await player.GetAsync($"/rooms/{code}")).FeedRolls.Single(r => r.GetAttribute("data-roll-id") == hidden).GetAttribute("data-total"));
    }

    [Fact]
    public async Task A_player_in_a_dm_led_room_may_not_roll_hidden()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;

        var page = await player.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));

        Assert.Equal((HttpStatusCode.Forbidden, "HIDDEN_NOT_ALLOWED"), (page.Status, page.ErrorCode));
        Assert.Null((await player.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roll-form input[name=hidden]"));
    }

    [Fact]
    public async Task A_dc_marks_new_rolls_pass_or_fail_and_never_rewrites_past_ones()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        var before = await player.RollAsync(code);
        await using var stream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events?after=1");
        await stream.NextOfTypeAsync("dc-updated", 1); // the current state, sent on connect

        var set = await dm.HtmxPostAsync($"/rooms/{code}/dc", ("dc", "15"));
        var update = (await stream.NextOfTypeAsync("dc-updated", 1)).Single().Element();
        var rows = new List<IElement>();
        for (var i = 0; i < 12; i++)
        {
            rows.Add(await player.RollAsync(code));
        }

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("15", update.QuerySelector("#dc-status")!.GetAttribute("data-dc"));
        Assert.Null(update.QuerySelector("form"));
        Assert.All(rows, row =>
        {
            Assert.Equal("15", row.GetAttribute("data-dc"));
            var passed = int.Parse(row.GetAttribute("data-total")!, CultureInfo.InvariantCulture) >= 15;
            Assert.Equal(passed ? "true" : "false", row.GetAttribute("data-dc-passed"));
        });
        Assert.Null(before.GetAttribute("data-dc"));

        await dm.HtmxPostAsync($"/rooms/{code}/dc", ("dc", "5"));
        var page = await player.GetAsync($"/rooms/{code}");
        Assert.Null(page.FeedRolls.Single(r => r.GetAttribute("data-sequence") == "1").GetAttribute("data-dc"));
        Assert.All(page.FeedRolls.Where(r => r.GetAttribute("data-sequence") != "1"), r => Assert.Equal("15", r.GetAttribute("data-dc")));

        var cleared = await dm.HtmxPostAsync($"/rooms/{code}/dc", ("dc", ""));
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Null((await player.RollAsync(code)).GetAttribute("data-dc"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("31")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("-3")]
    public async Task An_out_of_range_dc_is_INVALID_DC_and_changes_nothing(string dc)
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        await dm.HtmxPostAsync($"/rooms/{code}/dc", ("dc", "12"));

        var page = await dm.HtmxPostAsync($"/rooms/{code}/dc", ("dc", dc));
        var plain = await dm.PostAsync($"/rooms/{code}/dc", ("dc", dc));

        Assert.Equal(((HttpStatusCode)422, "INVALID_DC"), (page.Status, page.ErrorCode));
        Assert.Equal(((HttpStatusCode)422, "INVALID_DC"), (plain.Status, plain.ErrorCode));
        Assert.Equal("12", (await dm.GetAsync($"/rooms/{code}")).Document.QuerySelector("#dc-status")!.GetAttribute("data-dc"));
    }

    [Fact]
    public async Task Only_the_dm_sets_the_dc()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        using var open = App.NewBrowser();
        var openRoom = await open.CreateRoomAsync("Olive");

        var byPlayer = await player.HtmxPostAsync($"/rooms/{code}/dc", ("dc", "10"));
        var inOpenRoom = await open.HtmxPostAsync($"/rooms/{openRoom}/dc", ("dc", "10"));

        Assert.Equal((HttpStatusCode.Forbidden, "NOT_DM"), (byPlayer.Status, byPlayer.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_DM"), (inOpenRoom.Status, inOpenRoom.ErrorCode));
        Assert.Equal("", (await player.GetAsync($"/rooms/{code}")).Document.QuerySelector("#dc-status")!.GetAttribute("data-dc"));
    }

    [Fact]
    public async Task The_creator_promotes_an_open_room_and_the_history_keeps_a_marker()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        await alice.RollAsync(code);
        await bob.RollAsync(code);
        await using var stream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=2");
        var bobId = (await alice.GetAsync($"/rooms/{code}")).PlayerIdOf("Bob");

        var promoted = await alice.HtmxPostAsync($"/rooms/{code}/promote", ("player_id", bobId));
        var changed = (await stream.NextOfTypeAsync("mode-changed", 1)).Single().Element();
        await bob.RollAsync(code);

        Assert.Equal(HttpStatusCode.OK, promoted.Status);
        Assert.Equal("2", changed.GetAttribute("data-after-sequence"));
        var page = await bob.GetAsync($"/rooms/{code}");
        Assert.Equal("dm-led", page.Document.QuerySelector("[data-room-mode]")!.GetAttribute("data-room-mode"));
        var feed = page.Document.QuerySelectorAll("#feed > li").ToList();
        var marker = feed.FindIndex(li => li.HasAttribute("data-mode-change"));
        Assert.Equal(["3", null, "2", "1"], feed.Select(li => li.GetAttribute("data-sequence")));
        Assert.Equal(1, marker);
        Assert.NotNull(page.Document.QuerySelector("#roll-form input[name=hidden]"));
        Assert.Null((await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roll-form input[name=hidden]"));
        var store = App.Services.GetRequiredService<IRoomStore>();
        var room = (await store.GetAsync(code))!;
        Assert.Equal(1800, room.Room.TtlSeconds);
        Assert.Equal(bobId, Assert.Single(room.ModeChanges).DmPlayerId);

        var again = await alice.HtmxPostAsync($"/rooms/{code}/promote", ("player_id", bobId));
        Assert.Equal((HttpStatusCode.Conflict, "ALREADY_DM_LED"), (again.Status, again.ErrorCode));
    }

    [Fact]
    public async Task Promotion_is_refused_with_the_right_codes()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        var bobId = (await alice.GetAsync($"/rooms/{code}")).PlayerIdOf("Bob");

        var byPlayer = await bob.HtmxPostAsync($"/rooms/{code}/promote", ("player_id", bobId));
        var unknown = await alice.HtmxPostAsync($"/rooms/{code}/promote", ("player_id", Guid.NewGuid().ToString()));
        var missing = await alice.HtmxPostAsync($"/rooms/{code}/promote");

        Assert.Equal((HttpStatusCode.Forbidden, "NOT_ROOM_CREATOR"), (byPlayer.Status, byPlayer.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "PLAYER_NOT_FOUND"), (unknown.Status, unknown.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "PLAYER_NOT_FOUND"), (missing.Status, missing.ErrorCode));
        Assert.Equal("open", (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-room-mode]")!.GetAttribute("data-room-mode"));
    }

    [Fact]
    public async Task A_kicked_player_is_told_their_stream_ends_others_see_them_go_and_they_cannot_rejoin()
    {
        await using var table = await DmRoom.Players("Tia").BuildAsync(App);
        var (code, dm, player, third) = table;
        var patId = (await dm.GetAsync($"/rooms/{code}")).PlayerIdOf("Pat");
        await using var patStream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events?after=0");
        await using var tiaStream = await SseReader.OpenAsync(third.Client, $"/rooms/{code}/events?after=0");
        await patStream.NextAsync();
        await tiaStream.NextAsync();

        var kicked = await dm.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", patId));
        var notice = (await patStream.NextOfTypeAsync("player-kicked", 1)).Single().Element();
        IElement roster;
        do
        {
            roster = (await tiaStream.NextOfTypeAsync("player-left", 1)).Single().Element();
        }
        while (roster.QuerySelector($"[data-player-id='{patId}']") is not null);

        Assert.Equal(HttpStatusCode.OK, kicked.Status);
        Assert.Equal("player-kicked", notice.GetAttribute("data-notice"));
        await Assert.ThrowsAsync<EndOfStreamException>(() => patStream.NextAsync());
        Assert.Equal(["Dee", "Tia"], roster.QuerySelectorAll("[data-player-id] .font-medium").Select(e => e.TextContent));
        Assert.Equal((patId, "kicked"), (roster.GetAttribute("data-changed-player-id"), roster.GetAttribute("data-reason")));

        var again = await player.PostAsync("/join", ("room_code", code), ("player_name", "Pat Again"));
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (again.Status, again.ErrorCode));
        using var otherUserAgent = App.NewBrowser("PlayerBrowser/2.0");
        otherUserAgent.DeviceId = player.DeviceId;
        var sameDevice = await otherUserAgent.PostAsync("/join", ("room_code", code), ("player_name", "Someone"));
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (sameDevice.Status, sameDevice.ErrorCode));
        var roll = await player.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (roll.Status, roll.ErrorCode));
    }

    [Fact]
    public async Task Kicking_is_refused_with_the_right_codes()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        var page = await dm.GetAsync($"/rooms/{code}");
        var (deeId, patId) = (page.PlayerIdOf("Dee"), page.PlayerIdOf("Pat"));

        var byPlayer = await player.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", deeId));
        var self = await dm.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", deeId));
        var unknown = await dm.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", Guid.NewGuid().ToString()));

        Assert.Equal((HttpStatusCode.Forbidden, "NOT_ADMIN"), (byPlayer.Status, byPlayer.ErrorCode));
        Assert.Equal(((HttpStatusCode)422, "CANNOT_KICK_SELF"), (self.Status, self.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "PLAYER_NOT_FOUND"), (unknown.Status, unknown.ErrorCode));
        Assert.Equal(2, (await dm.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]").Length);
        Assert.NotNull((await dm.GetAsync($"/rooms/{code}")).Document.QuerySelector($"#roster form[action$='/kick'] input[value='{patId}']"));
        Assert.Null((await player.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roster form[action$='/kick']"));
    }

    [Fact]
    public async Task The_creator_of_an_open_room_is_its_admin()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        var page = await alice.GetAsync($"/rooms/{code}");

        var kicked = await alice.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", page.PlayerIdOf("Bob")));
        Assert.Equal(HttpStatusCode.OK, kicked.Status);
        Assert.Single((await alice.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id]"));
    }

    [Fact]
    public async Task The_creator_closes_the_room_everyone_is_told_and_the_code_stops_working()
    {
        await using var table = await DmRoom.BuildAsync(App);
        var (code, dm, player) = table;
        await using var stream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events?after=0");
        await stream.NextAsync();

        var byPlayer = await player.HtmxPostAsync($"/rooms/{code}/close");
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_DM"), (byPlayer.Status, byPlayer.ErrorCode)); // a DM-led room: only its DM closes it
        var closed = await dm.PostAsync($"/rooms/{code}/close");
        var notice = (await stream.NextOfTypeAsync("room-closed", 1)).Single().Element();

        Assert.Equal(HttpStatusCode.SeeOther, closed.Status);
        Assert.Equal("creator_closed", notice.GetAttribute("data-reason"));
        await Assert.ThrowsAsync<EndOfStreamException>(() => stream.NextAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await player.GetAsync($"/rooms/{code}")).Status);
        using var late = App.NewBrowser("Late/1");
        var join = await late.PostAsync("/join", ("room_code", code), ("player_name", "Late"));
        Assert.Equal((HttpStatusCode.NotFound, "ROOM_NOT_FOUND"), (join.Status, join.ErrorCode));
    }

    /// <summary>
    /// Who may close the room, reveal and rotate its seed, or reveal a hidden roll, in each kind of room. "handed-over": Dee
    /// created a DM-led room, rolled hidden, then handed the DM role to Pat. "promoted": Alice created an open room and made Pat
    /// its DM. "open": Alice's open room, Pat a player. Only the current DM closes or rotates a DM-led room (whoever created it);
    /// the creator an open one; a hidden roll is revealed by its roller alone, DM now or not.
    /// </summary>
    [Theory]
    [InlineData("handed-over", "Dee", "close", HttpStatusCode.Forbidden, "NOT_DM")]
    [InlineData("handed-over", "Dee", "rotate", HttpStatusCode.Forbidden, "NOT_ADMIN")]
    [InlineData("handed-over", "Pat", "close", HttpStatusCode.OK, null)]
    [InlineData("handed-over", "Pat", "rotate", HttpStatusCode.OK, null)]
    [InlineData("handed-over", "Pat", "reveal", HttpStatusCode.Forbidden, "NOT_DM")]
    [InlineData("handed-over", "Dee", "reveal", HttpStatusCode.OK, null)]
    [InlineData("promoted", "Alice", "close", HttpStatusCode.Forbidden, "NOT_DM")]
    [InlineData("promoted", "Alice", "rotate", HttpStatusCode.Forbidden, "NOT_ADMIN")]
    [InlineData("promoted", "Pat", "close", HttpStatusCode.OK, null)]
    [InlineData("promoted", "Pat", "rotate", HttpStatusCode.OK, null)]
    [InlineData("open", "Pat", "close", HttpStatusCode.Forbidden, "NOT_ROOM_CREATOR")]
    [InlineData("open", "Pat", "rotate", HttpStatusCode.Forbidden, "NOT_ADMIN")]
    [InlineData("open", "Alice", "close", HttpStatusCode.OK, null)]
    [InlineData("open", "Alice", "rotate", HttpStatusCode.OK, null)]
    public async Task Only_the_rooms_admin_closes_or_rotates_and_only_the_roller_reveals(string room, string actor, string action, HttpStatusCode status,
        string? errorCode)
    {
        await using var table = await (room == "handed-over" ? Table.DmLed("Dee") : Table.Open("Alice")).Players("Pat").BuildAsync(App);
        var (code, host, pat) = table;
        var patId = await pat.MyIdAsync(code);
        string? hiddenId = null;
        if (room == "handed-over")
        {
            hiddenId = (await HiddenRollAsync(host, code)).Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-roll-id");
            Assert.Equal(HttpStatusCode.OK, (await host.HtmxPostAsync($"/rooms/{code}/dm", ("player_id", patId))).Status);
        }
        else if (room == "promoted")
        {
            Assert.Equal(HttpStatusCode.OK, (await host.HtmxPostAsync($"/rooms/{code}/promote", ("player_id", patId))).Status);
        }

        var url = action switch
        {
            "close" => $"/rooms/{code}/close",
            "rotate" => $"/rooms/{code}/fairness/rotate",
            _ => $"/rooms/{code}/rolls/{hiddenId}/reveal",
        };
        var before = await host.GetAsync($"/rooms/{code}");

        var answer = await table[actor].HtmxPostAsync(url);

        Assert.Equal((status, errorCode), (answer.Status, answer.ErrorCode));
        var after = await host.GetAsync($"/rooms/{code}");
        if (errorCode is not null)
        {
            // Refused: nothing changed (the room is open, its commitment and the hidden roll as they were).
            Assert.Equal(HttpStatusCode.OK, after.Status);
            Assert.Equal(Commitment(before), Commitment(after));
            Assert.Equal(before.FeedRolls.Select(r => (r.GetAttribute("data-total"), r.TextContent)), after.FeedRolls.Select(r => (r.GetAttribute("data-total"), r.TextContent)));
        }
        else
        {
            Assert.Equal(action == "close" ? HttpStatusCode.NotFound : HttpStatusCode.OK, after.Status);
        }

        // The room page offers the close button only to whoever may use it.
        if (action == "close" && errorCode is not null)
        {
            Assert.Null((await table[actor].GetAsync($"/rooms/{code}")).Document.QuerySelector($"form[action='/rooms/{code}/close']"));
        }
    }

    private static string? Commitment(Page page) => page.Document.QuerySelector("[data-commitment]")?.GetAttribute("data-commitment");

    [Fact]
    public async Task The_roster_shows_who_has_the_room_open_live()
    {
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;
        var bobId = await bob.MyIdAsync(code);
        await using var aliceStream = await SseReader.OpenAsync(alice.Client, $"/rooms/{code}/events?after=0");
        await aliceStream.NextAsync();

        var bobStream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");
        IElement roster;
        do
        {
            roster = (await aliceStream.NextOfTypeAsync("player-joined", 1)).Single().Element();
        }
        while (roster.QuerySelectorAll("[data-connected=true]").Length < 2);
        await bobStream.NextAsync();
        await bobStream.DisposeAsync();
        do
        {
            roster = (await aliceStream.NextOfTypeAsync("player-left", 1)).Single().Element();
        }
        while (roster.QuerySelectorAll("[data-connected=true]").Length > 1);

        // Bob by his id, not by position: the roster is in join-time order, a tie broken by the (random) player id.
        var bobEntry = roster.QuerySelector($"[data-player-id='{bobId}']")!;
        Assert.Equal("false", bobEntry.GetAttribute("data-connected"));
        Assert.Equal("disconnect", roster.GetAttribute("data-reason"));
        Assert.Contains("offline", bobEntry.TextContent, StringComparison.Ordinal);
    }
}

public sealed class GameRulesEmbeddedTests(SharedApp shared) : GameRulesTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class GameRulesValkeyTests(ValkeyServer valkey, SharedApp shared) : GameRulesTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
