using System.Net;
using AngleSharp.Dom;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// Kicks that hit the right person, knocks, admit/refuse and the lock, through the HTTP contract on both stores. Every
/// browser of one app comes from the same address, like a table on one Wi-Fi.
/// </summary>
public abstract class DoorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory? _app;

    protected virtual string? ValkeyConnection => null;

    private AppFactory App => _app ??= new AppFactory(ValkeyConnection, new Dictionary<string, string?>
    {
        ["Rooms:KickKnockWindow"] = "00:10:00",
        ["Rooms:KnockTtl"] = "00:05:00",
    }) { Clock = _clock };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>A DM-led room with Dee as DM and Pat and Tia as players; Dee and Pat on the same kind of phone.</summary>
    private Task<Table<Browser>> TableAsync() =>
        Table.DmLed("Dee", userAgent: "Phone/1.0").Player("Pat", "Phone/1.0").Player("Tia", "Laptop/2.0").BuildAsync(App);

    private static async Task KickAsync(Browser dm, string code, string name)
    {
        var kicked = await dm.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", (await dm.GetAsync($"/rooms/{code}")).PlayerIdOf(name)));
        Assert.Equal(HttpStatusCode.OK, kicked.Status);
    }

    private static Task<Page> JoinAsync(Browser browser, string code, string name) =>
        browser.PostAsync("/join", ("room_code", code), ("player_name", name));

    private static string KnockIdOf(Page waiting)
    {
        Assert.Equal(HttpStatusCode.Accepted, waiting.Status);
        // The waiting page (the join's answer as its refreshes) is this visitor's alone: never kept by a cache.
        Assert.Contains("no-store", waiting.CacheControl, StringComparison.Ordinal);
        return waiting.Document.QuerySelector("main > [data-knock-id]")!.GetAttribute("data-knock-id")!;
    }

    /// <summary>The roster's names in alphabetical order (the fake clock gives everyone the same join time).</summary>
    private static async Task<IReadOnlyList<string>> NamesAsync(Browser member, string code) =>
        (await member.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#roster [data-player-id] .font-medium").Select(e => e.TextContent).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task A_kick_bars_the_device_not_the_neighbour_with_the_same_address_and_browser()
    {
        await using var table = await TableAsync();
        var (code, dm, pat, _) = table;
        await KickAsync(dm, code, "Pat");

        using var neighbour = App.NewBrowser("Phone/1.0");
        var knocked = await JoinAsync(neighbour, code, "Sam");
        using var patInOtherBrowser = App.NewBrowser("Phone/99.0 (changed)");
        patInOtherBrowser.DeviceId = pat.DeviceId;
        var patAgain = await JoinAsync(patInOtherBrowser, code, "Pat Again");
        var patPage = await patInOtherBrowser.GetAsync($"/rooms/{code}");
        var patRoll = await pat.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));

        Assert.NotNull(KnockIdOf(knocked));
        Assert.Null(knocked.ErrorCode);
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (patAgain.Status, patAgain.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (patPage.Status, patPage.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (patRoll.Status, patRoll.ErrorCode));
        Assert.Equal(["Dee", "Tia"], await NamesAsync(dm, code));
    }

    [Fact]
    public async Task After_the_knock_window_a_join_from_the_kicked_address_goes_straight_in_but_the_device_stays_barred()
    {
        await using var table = await TableAsync();
        var (code, dm, pat, _) = table;
        await KickAsync(dm, code, "Pat");

        _clock.Advance(TimeSpan.FromMinutes(11));
        using var neighbour = App.NewBrowser("Phone/1.0");
        var joined = await JoinAsync(neighbour, code, "Sam");
        var patAgain = await JoinAsync(pat, code, "Pat Again");

        Assert.Equal(HttpStatusCode.SeeOther, joined.Status);
        Assert.Equal($"/rooms/{code}", joined.Location);
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (patAgain.Status, patAgain.ErrorCode));
        Assert.Equal(["Dee", "Sam", "Tia"], await NamesAsync(dm, code));
    }

    [Fact]
    public async Task A_knock_waits_the_dm_sees_it_live_and_admitting_moves_the_waiting_page_into_the_room()
    {
        await using var table = await TableAsync();
        var (code, dm, pat, tia) = table;
        await KickAsync(dm, code, "Pat");
        await using var dmStream = await SseReader.OpenAsync(dm.Client, $"/rooms/{code}/events?after=0");
        await using var tiaStream = await SseReader.OpenAsync(tia.Client, $"/rooms/{code}/events?after=0");
        await dmStream.NextOfTypeAsync("door-changed", 1);
        await tiaStream.NextOfTypeAsync("door-changed", 1);

        using var sam = App.NewBrowser("Phone/1.0");
        var knockId = KnockIdOf(await JoinAsync(sam, code, "Sam"));
        var live = (await dmStream.NextOfTypeAsync("door-changed", 1)).Single().Element();
        var tiaLive = (await tiaStream.NextOfTypeAsync("door-changed", 1)).Single().Element();
        var waiting = await sam.GetAsync($"/rooms/{code}/knocks/{knockId}");
        var samRollBefore = await sam.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));
        var byPlayer = await tia.HtmxPostAsync($"/rooms/{code}/knocks/{knockId}/admit");
        var dmPage = await dm.GetAsync($"/rooms/{code}");

        Assert.Equal(knockId, live.QuerySelector("#knocks [data-knock-id]")!.GetAttribute("data-knock-id"));
        Assert.Contains("Someone wants to join as Sam", live.QuerySelector("#knocks li")!.TextContent.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.NotNull(live.QuerySelector($"form[action='/rooms/{code}/knocks/{knockId}/admit'] input[name=__RequestVerificationToken]"));
        Assert.NotNull(live.QuerySelector($"form[action='/rooms/{code}/knocks/{knockId}/refuse']"));
        Assert.Null(tiaLive.QuerySelector("#knocks, form"));
        Assert.NotNull(dmPage.Document.QuerySelector($"#door-panel #knocks [data-knock-id='{knockId}']"));
        Assert.Equal(knockId, waiting.Document.QuerySelector("[data-knock-id]")!.GetAttribute("data-knock-id"));
        Assert.Equal(HttpStatusCode.Accepted, waiting.Status);
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_IN_ROOM"), (samRollBefore.Status, samRollBefore.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_ADMIN"), (byPlayer.Status, byPlayer.ErrorCode));
        Assert.Equal(["Dee", "Tia"], await NamesAsync(dm, code));

        var admitted = await dm.HtmxPostAsync($"/rooms/{code}/knocks/{knockId}/admit");
        var moved = await sam.GetAsync($"/rooms/{code}/knocks/{knockId}");
        var again = await dm.HtmxPostAsync($"/rooms/{code}/knocks/{knockId}/admit");

        Assert.Equal(HttpStatusCode.OK, admitted.Status);
        Assert.Equal("Sam is in the room.", admitted.Document.QuerySelector("[data-action-status]")!.TextContent);
        Assert.Equal((HttpStatusCode.SeeOther, $"/rooms/{code}"), (moved.Status, moved.Location));
        Assert.Equal((HttpStatusCode.NotFound, "KNOCK_NOT_FOUND"), (again.Status, again.ErrorCode));
        Assert.Equal(["Dee", "Sam", "Tia"], await NamesAsync(sam, code));
        Assert.Equal(HttpStatusCode.OK, (await sam.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"))).Status);
        _ = pat;
    }

    [Fact]
    public async Task A_refused_knock_is_ROOM_LOCKED_and_its_person_stays_out()
    {
        await using var table = await TableAsync();
        var (code, dm, _, _) = table;
        await KickAsync(dm, code, "Pat");
        using var sam = App.NewBrowser("Phone/1.0");
        var knockId = KnockIdOf(await JoinAsync(sam, code, "Sam"));

        var withoutToken = await dm.PostAsync($"/rooms/{code}/knocks/{knockId}/refuse", [], withToken: false);
        var stillWaiting = await sam.GetAsync($"/rooms/{code}/knocks/{knockId}");
        var refused = await dm.PostAsync($"/rooms/{code}/knocks/{knockId}/refuse");
        var answer = await sam.GetAsync($"/rooms/{code}/knocks/{knockId}");
        var admitLate = await dm.HtmxPostAsync($"/rooms/{code}/knocks/{knockId}/admit");
        var someoneElses = await dm.GetAsync($"/rooms/{code}/knocks/{knockId}");

        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.Status);
        Assert.Equal(HttpStatusCode.Accepted, stillWaiting.Status);
        Assert.Equal((HttpStatusCode.SeeOther, $"/rooms/{code}"), (refused.Status, refused.Location));
        Assert.Equal((HttpStatusCode.Forbidden, "ROOM_LOCKED"), (answer.Status, answer.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "KNOCK_NOT_FOUND"), (admitLate.Status, admitLate.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "KNOCK_NOT_FOUND"), (someoneElses.Status, someoneElses.ErrorCode));
        Assert.Equal(["Dee", "Tia"], await NamesAsync(dm, code));
    }

    [Fact]
    public async Task A_locked_room_makes_every_join_knock_until_the_dm_unlocks_it()
    {
        await using var table = await TableAsync();
        var (code, dm, pat, _) = table;

        var byPlayer = await pat.HtmxPostAsync($"/rooms/{code}/lock", ("locked", "true"));
        var nonsense = await dm.HtmxPostAsync($"/rooms/{code}/lock", ("locked", "maybe"));
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_ADMIN"), (byPlayer.Status, byPlayer.ErrorCode));
        Assert.Equal(((HttpStatusCode)422, "INVALID_LOCK"), (nonsense.Status, nonsense.ErrorCode));
        Assert.Equal("false", (await dm.GetAsync($"/rooms/{code}")).Document.QuerySelector("#door-panel")!.GetAttribute("data-locked"));

        var locked = await dm.HtmxPostAsync($"/rooms/{code}/lock", ("locked", "true"));
        using var newcomer = App.NewBrowser("Tablet/3.0");
        var knocked = await JoinAsync(newcomer, code, "Uma");
        var dmPage = await dm.GetAsync($"/rooms/{code}");
        var patPage = await pat.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.OK, locked.Status);
        Assert.NotNull(KnockIdOf(knocked));
        Assert.Equal("true", dmPage.Document.QuerySelector("#door-panel")!.GetAttribute("data-locked"));
        Assert.Equal("false", dmPage.Document.QuerySelector("#door-panel form[action$='/lock'] input[name=locked]")!.GetAttribute("value"));
        Assert.Contains("Locked", patPage.Document.QuerySelector("#door-panel [data-lock-status='locked']")!.TextContent, StringComparison.Ordinal);
        Assert.False(patPage.Document.QuerySelector("#door-panel")!.HasAttribute("hidden"));
        Assert.Null(patPage.Document.QuerySelector("#door-panel form"));

        var unlocked = await dm.PostAsync($"/rooms/{code}/lock", ("locked", "false"));
        using var late = App.NewBrowser("Tablet/3.0");
        var joined = await JoinAsync(late, code, "Vic");

        Assert.Equal(HttpStatusCode.SeeOther, unlocked.Status);
        Assert.Equal(HttpStatusCode.SeeOther, joined.Status);
        Assert.True((await pat.GetAsync($"/rooms/{code}")).Document.QuerySelector("#door-panel")!.HasAttribute("hidden"));
        Assert.Equal(["Dee", "Pat", "Tia", "Vic"], await NamesAsync(dm, code));
    }

    [Fact]
    public async Task The_waiting_page_refreshes_itself_without_javascript_and_lapses_after_the_knock_ttl()
    {
        await using var table = await TableAsync();
        var (code, dm, _, _) = table;
        await dm.PostAsync($"/rooms/{code}/lock", ("locked", "true"));
        using var sam = App.NewBrowser("Phone/1.0");
        var waiting = await JoinAsync(sam, code, "Sam");
        var knockId = KnockIdOf(waiting);

        var refresh = waiting.Document.QuerySelector("head noscript meta[http-equiv=refresh]");
        Assert.Equal($"3;url=/rooms/{code}/knocks/{knockId}", refresh!.GetAttribute("content"));
        Assert.Equal($"/rooms/{code}/knocks/{knockId}", waiting.Document.QuerySelector("[data-knock-url]")!.GetAttribute("data-knock-url"));

        _clock.Advance(TimeSpan.FromMinutes(6));
        var lapsed = await sam.GetAsync($"/rooms/{code}/knocks/{knockId}");
        var admitLate = await dm.HtmxPostAsync($"/rooms/{code}/knocks/{knockId}/admit");

        Assert.Equal((HttpStatusCode.NotFound, "KNOCK_NOT_FOUND"), (lapsed.Status, lapsed.ErrorCode));
        Assert.Equal((HttpStatusCode.NotFound, "KNOCK_NOT_FOUND"), (admitLate.Status, admitLate.ErrorCode));
        Assert.Empty((await dm.GetAsync($"/rooms/{code}")).Document.QuerySelectorAll("#knocks [data-knock-id]"));
    }

    [Fact]
    public async Task Admission_still_checks_that_the_room_has_a_seat_and_the_name_is_free()
    {
        await using var table = await TableAsync();
        var (code, dm, _, _) = table;
        await dm.PostAsync($"/rooms/{code}/lock", ("locked", "true"));
        using var first = App.NewBrowser("Phone/1.0");
        using var second = App.NewBrowser("Phone/1.0");
        var firstKnock = KnockIdOf(await JoinAsync(first, code, "Sam"));
        var secondKnock = KnockIdOf(await JoinAsync(second, code, "sam"));

        Assert.Equal(HttpStatusCode.OK, (await dm.HtmxPostAsync($"/rooms/{code}/knocks/{firstKnock}/admit")).Status);
        var taken = await dm.HtmxPostAsync($"/rooms/{code}/knocks/{secondKnock}/admit");

        Assert.Equal((HttpStatusCode.Conflict, "NAME_TAKEN"), (taken.Status, taken.ErrorCode));
        Assert.Equal(HttpStatusCode.Accepted, (await second.GetAsync($"/rooms/{code}/knocks/{secondKnock}")).Status);
    }

    [Fact]
    public async Task The_waiting_page_polls_with_htmx_and_an_answer_sends_it_to_the_room_or_to_the_answer()
    {
        await using var table = await TableAsync();
        var (code, dm, _, _) = table;
        await dm.PostAsync($"/rooms/{code}/lock", ("locked", "true"));
        using var sam = App.NewBrowser("Phone/1.0");
        using var una = App.NewBrowser("Tablet/2.0");
        var waiting = await JoinAsync(sam, code, "Sam");
        var samUrl = $"/rooms/{code}/knocks/{KnockIdOf(waiting)}";
        var unaUrl = $"/rooms/{code}/knocks/{KnockIdOf(await JoinAsync(una, code, "Una"))}";

        var poll = waiting.Document.QuerySelector("[data-knock-url]")!;
        Assert.Equal((samUrl, "every 3s", "none"), (poll.GetAttribute("hx-get"), poll.GetAttribute("hx-trigger"), poll.GetAttribute("hx-swap")));
        Assert.Equal(["/static/js/htmx.min.js"], waiting.Document.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!.Split('?')[0]));
        using (var stillWaiting = await PollAsync(sam, "Phone/1.0", samUrl))
        {
            Assert.Equal(HttpStatusCode.Accepted, stillWaiting.StatusCode);
            Assert.False(stillWaiting.Headers.Contains("HX-Redirect"));
        }

        await dm.HtmxPostAsync($"{samUrl}/admit");
        await dm.HtmxPostAsync($"{unaUrl}/refuse");
        using var admitted = await PollAsync(sam, "Phone/1.0", samUrl);
        using var refused = await PollAsync(una, "Tablet/2.0", unaUrl);

        Assert.Equal((HttpStatusCode.NoContent, $"/rooms/{code}"), (admitted.StatusCode, admitted.Headers.GetValues("HX-Redirect").Single()));
        Assert.Equal((HttpStatusCode.NoContent, unaUrl), (refused.StatusCode, refused.Headers.GetValues("HX-Redirect").Single()));
        var answer = await una.GetAsync(unaUrl);
        Assert.Equal((HttpStatusCode.Forbidden, "ROOM_LOCKED"), (answer.Status, answer.ErrorCode));
    }

    /// <summary>The waiting page's htmx poll (its headers are what it is about, so the raw answer).</summary>
    private static async Task<HttpResponseMessage> PollAsync(Browser browser, string userAgent, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd(userAgent);
        request.Headers.Add("HX-Request", "true");
        return await browser.Client.SendAsync(request);
    }
}

public sealed class DoorEmbeddedTests : DoorTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class DoorValkeyTests(ValkeyServer valkey) : DoorTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
