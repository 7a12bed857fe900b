using System.Net;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// A kick hits one person: the removed player's cookie, device and continue link stay barred, newcomers from their
/// network knock only for <c>Rooms:KickKnockWindow</c> (default 10 minutes), the admin's door panel says until when and
/// can end it at once, and nobody already in the room notices. Every browser of one app shares one address (one Wi-Fi).
/// </summary>
public abstract class KickWindowTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 21, 30, 0, TimeSpan.Zero));
    private AppFactory? _app;

    protected virtual string? ValkeyConnection => null;

    // The window is the default: nothing is configured.
    private AppFactory App => _app ??= new AppFactory(ValkeyConnection) { Clock = _clock };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private Task<Table<Browser>> TableAsync() => Table.DmLed("Dee").Players("Pat", "Tia").BuildAsync(App);

    private static Task<Page> JoinAsync(Browser browser, string code, string name) =>
        browser.PostAsync("/join", ("room_code", code), ("player_name", name));

    private static async Task<(string Continue, DateTimeOffset KickedAt)> KickAsync(Browser dm, Browser player, string code, string name, FakeTimeProvider clock)
    {
        var link = (await player.GetAsync($"/rooms/{code}")).Document.QuerySelector("[data-continue-link]")!.GetAttribute("href")!;
        var kicked = await dm.HtmxPostAsync($"/rooms/{code}/kick", ("player_id", (await dm.GetAsync($"/rooms/{code}")).PlayerIdOf(name)));
        Assert.Equal(HttpStatusCode.OK, kicked.Status);
        return (new Uri(link).PathAndQuery, clock.GetUtcNow());
    }

    [Fact]
    public void The_default_window_is_ten_minutes() => Assert.Equal(TimeSpan.FromMinutes(10), new RoomOptions().KickKnockWindow);

    [Fact]
    public async Task The_dms_door_says_until_when_the_network_knocks_and_a_knock_from_it_is_one_tap_to_admit()
    {
        await using var table = await TableAsync();
        var (code, dee, pat, tia) = table;
        await using var deeStream = await SseReader.OpenAsync(dee.Client, $"/rooms/{code}/events?after=0");
        await deeStream.NextOfTypeAsync("door-changed", 1);
        var (_, kickedAt) = await KickAsync(dee, pat, code, "Pat", _clock);
        var until = kickedAt.AddMinutes(10);

        // Live: the DM's open page hears the door change, and it says the same as a reload.
        var live = (await deeStream.NextOfTypeAsync("door-changed", 1)).Single().Element();
        var panel = (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#door-panel")!;
        foreach (var door in new[] { live, panel })
        {
            Assert.False(door.HasAttribute("hidden"));
            Assert.Equal("false", door.GetAttribute("data-locked"));
            var status = door.QuerySelector("[data-lock-status]")!;
            Assert.Equal(until.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture), status.GetAttribute("data-knock-until"));
            Assert.Equal("Open; joins from the removed player's network knock until 21:40 UTC.", Normalize(status.TextContent));
            Assert.DoesNotContain("anyone with the code", door.TextContent, StringComparison.Ordinal);
            var form = door.QuerySelector($"form[action='/rooms/{code}/kick-window/end']")!;
            Assert.Equal("post", form.GetAttribute("method"));
            Assert.NotEmpty(form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!);
            Assert.Equal("Let them in freely", form.QuerySelector("button")!.TextContent.Trim());
        }

        // A player's page shows no such control (the panel stays hidden while the room is open).
        var tiaDoor = (await tia.GetAsync($"/rooms/{code}")).Document.QuerySelector("#door-panel")!;
        Assert.True(tiaDoor.HasAttribute("hidden"));
        Assert.Null(tiaDoor.QuerySelector("form"));

        // A newcomer on the same network knocks; the panel says both things at once, and one tap lets them in.
        using var sam = App.NewBrowser("Sam/1.0");
        var knocked = await JoinAsync(sam, code, "Sam");
        Assert.Equal(HttpStatusCode.Accepted, knocked.Status);
        var withKnock = (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#door-panel")!;
        var admit = withKnock.QuerySelector("#knocks form[action$='/admit']")!.GetAttribute("action")!;
        Assert.NotNull(withKnock.QuerySelector("[data-knock-until]"));
        var admitted = await dee.PostAsync(admit);
        Assert.Equal(HttpStatusCode.SeeOther, admitted.Status);
        Assert.Equal(HttpStatusCode.OK, (await sam.GetAsync($"/rooms/{code}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await sam.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"))).Status);
    }

    [Fact]
    public async Task Let_them_in_freely_ends_the_window_at_once_but_the_removed_player_stays_out()
    {
        await using var table = await TableAsync();
        var (code, dee, pat, tia) = table;
        var (continueLink, _) = await KickAsync(dee, pat, code, "Pat", _clock);

        // Not the admin's to end, and not without the page's token: nothing changes.
        var byPlayer = await tia.PostAsync($"/rooms/{code}/kick-window/end");
        var forged = await dee.PostAsync($"/rooms/{code}/kick-window/end", [], withToken: false);
        Assert.Equal((HttpStatusCode.Forbidden, "NOT_ADMIN"), (byPlayer.Status, byPlayer.ErrorCode));
        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST"), (forged.Status, forged.ErrorCode));
        using var early = App.NewBrowser("Early/1.0");
        Assert.Equal(HttpStatusCode.Accepted, (await JoinAsync(early, code, "Early")).Status);

        // A plain form post (no script): 303 back to the room, whose panel now says the room is simply open.
        var ended = await dee.PostAsync($"/rooms/{code}/kick-window/end");
        Assert.Equal((HttpStatusCode.SeeOther, $"/rooms/{code}"), (ended.Status, ended.Location));
        var door = (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#door-panel")!;
        Assert.Null(door.QuerySelector("[data-knock-until]"));
        Assert.Null(door.QuerySelector("form[action$='/kick-window/end']"));
        Assert.Equal("Open: anyone with the code can join.", Normalize(door.QuerySelector("[data-lock-status]")!.TextContent));

        // Newcomers from that network come straight in; the removed player's cookie, device and continue link do not.
        using var una = App.NewBrowser("Una/1.0");
        var joined = await JoinAsync(una, code, "Una");
        Assert.Equal((HttpStatusCode.SeeOther, $"/rooms/{code}"), (joined.Status, joined.Location));
        var patPage = await pat.GetAsync($"/rooms/{code}");
        var patJoin = await JoinAsync(pat, code, "Pat again");
        using var patsOtherBrowser = App.NewBrowser("Other/1.0");
        patsOtherBrowser.DeviceId = pat.DeviceId;
        var patDevice = await JoinAsync(patsOtherBrowser, code, "Pat two");
        using var patsLink = App.NewBrowser("Link/1.0");
        var confirm = await patsLink.GetAsync(continueLink);
        var continued = await patsLink.PostAsync(continueLink);
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (patPage.Status, patPage.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (patJoin.Status, patJoin.ErrorCode));
        Assert.Equal((HttpStatusCode.Forbidden, "KICKED"), (patDevice.Status, patDevice.ErrorCode));
        Assert.True((int)confirm.Status >= 400 && (int)continued.Status >= 400, $"continue link: {(int)confirm.Status}, {(int)continued.Status}");
        var afterLink = await patsLink.GetAsync($"/rooms/{code}");
        Assert.Null(afterLink.Document.QuerySelector("#roster")); // the link made nobody a member: a stranger's join page at most
    }

    [Fact]
    public async Task Players_already_in_the_room_on_the_same_network_are_untouched_and_the_window_lapses_by_itself()
    {
        await using var table = await TableAsync();
        var (code, dee, pat, tia) = table;
        await using var tiaStream = await SseReader.OpenAsync(tia.Client, $"/rooms/{code}/events?after=0");
        await KickAsync(dee, pat, code, "Pat", _clock);

        var tiaRoll = await tia.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));
        Assert.Equal(HttpStatusCode.OK, tiaRoll.Status);
        Assert.Single(await tiaStream.NextOfTypeAsync("roll", 1));
        Assert.Equal(HttpStatusCode.OK, (await tia.GetAsync($"/rooms/{code}")).Status);

        _clock.Advance(TimeSpan.FromMinutes(9));
        using var sam = App.NewBrowser("Sam/1.0");
        Assert.Equal(HttpStatusCode.Accepted, (await JoinAsync(sam, code, "Sam")).Status);
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        using var una = App.NewBrowser("Una/1.0");
        Assert.Equal(HttpStatusCode.SeeOther, (await JoinAsync(una, code, "Una")).Status);
        var door = (await dee.GetAsync($"/rooms/{code}")).Document.QuerySelector("#door-panel")!;
        Assert.Null(door.QuerySelector("[data-knock-until]")); // the panel agrees: the window is over
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

public sealed class KickWindowEmbeddedTests : KickWindowTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class KickWindowValkeyTests(ValkeyServer valkey) : KickWindowTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
