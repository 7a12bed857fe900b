using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The table on a phone (issue 23): the others' newest roll, the own result and the dice pad on the first screen, at load and
/// live, with and without JavaScript, a hidden one's line revealed in place; a page without JavaScript shown as present; leaving
/// says where you left; a DC or lock change said once to a screen reader, not again on reconnect.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class TableOnPhoneTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    /// <summary>Where an element is, in CSS px of the viewport, and whether it is wholly inside it.</summary>
    private async Task<bool> InViewAsync(IPage page, ILocator element, string name, int height)
    {
        var box = await element.BoundingBoxAsync();
        Assert.NotNull(box);
        var inside = box.Y >= 0 && box.Y + box.Height <= height && box.Height > 0;
        output.WriteLine($"  {name}: top {box.Y:F0}, bottom {box.Y + box.Height:F0} of {height}{(inside ? "" : "  <- NOT IN VIEW")}");
        return inside;
    }

    private async Task AssertFirstScreenAsync(Person bob, string deesRoll, int height, bool ownResult)
    {
        var page = bob.Page;
        output.WriteLine(await page.EvaluateAsync<string>("""
            () => ["body > header", "h1", ".link-row", "#connection-status", "#table-now", "#roll-title", "#your-roll", ".dice-pad", "#roll-form"]
              .map(s => { const e = document.querySelector(s); if (!e) { return s + ": none"; } const b = e.getBoundingClientRect(); return s + ": " + Math.round(b.top) + "-" + Math.round(b.bottom); })
              .join("; ") + "; scrollY " + window.scrollY
            """));
        if (Environment.GetEnvironmentVariable(LayoutTests.ScreenshotsVariable) is { Length: > 0 } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"table-{page.ViewportSize!.Width}-{Guid.NewGuid():N}.png") });
        }

        Assert.Equal(0, await page.EvaluateAsync<double>("() => window.scrollY"));
        var newest = page.Locator("#table-rolls > li").First;
        await Expect(newest).ToHaveAttributeAsync("data-table-roll", deesRoll);
        var checks = new List<(string Name, bool Inside)>
        {
            ("newest roll by Dee", await InViewAsync(page, newest, "newest roll by Dee", height)),
            ("d20 button", await InViewAsync(page, bob.DieButton(20), "d20 button", height)),
        };
        if (ownResult)
        {
            checks.Add(("own result", await InViewAsync(page, page.Locator("#roll-result > li"), "own result", height)));
        }

        var missing = checks.Where(c => !c.Inside).Select(c => c.Name).ToList();
        Assert.True(missing.Count == 0, $"Not on the first screen: {string.Join(", ", missing)}");
    }

    [Theory]
    [InlineData(320, 640)]
    [InlineData(390, 844)]
    [InlineData(430, 932)]
    public async Task On_a_phone_the_others_newest_roll_the_own_result_and_the_dice_pad_share_the_first_screen(int width, int height)
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (code, dee, bob) = table;
        await bob.Page.SetViewportSizeAsync(width, height);
        await table.EveryoneLiveAsync();
        await dee.SetDcAsync(12);
        for (var i = 0; i < 4; i++)
        {
            await dee.RollAsync(i == 0 ? "4d6kh3 [fire] + 2d4" : "1d20+5 stealth");
        }

        await bob.RollDieAsync(20);
        var live = await dee.RollAsync("1d20+7 Longsword");

        // Live: Dee's roll arrives in the strip while Bob looks at his pad (no scrolling, no reload).
        output.WriteLine($"{width}x{height}, live:");
        await Expect(bob.Page.Locator("#table-rolls > li")).ToHaveCountAsync(3);
        await AssertFirstScreenAsync(bob, live, height, ownResult: true);

        // Loaded afresh: the same first screen.
        await bob.Page.ReloadAsync();
        await bob.WaitUntilLiveAsync();
        output.WriteLine($"{width}x{height}, reloaded:");
        await AssertFirstScreenAsync(bob, live, height, ownResult: true);
        output.WriteLine($"  page height {await bob.Page.EvaluateAsync<int>("() => document.documentElement.scrollHeight")} px");

        // A hidden roll's line says "in secret"; its reveal replaces that line in place, live (the strip keeps its three).
        var secret = await dee.RollAsync("3d10", hidden: true);
        var line = bob.Page.Locator($"#table-rolls > li[data-table-roll='{secret}']");
        await Expect(line).ToContainTextAsync("in secret");
        await dee.RevealAsync(secret);
        await Expect(line).ToContainTextAsync("3d10");
        await Expect(line).Not.ToContainTextAsync("in secret");
        await Expect(line).Not.ToHaveAttributeAsync("hx-swap-oob", new Regex("."));
        await Expect(bob.Page.Locator("#table-rolls > li")).ToHaveCountAsync(3);
        await Expect(bob.Page.Locator("#table-rolls > li").First).ToHaveAttributeAsync("data-table-roll", secret);

        // The strip is the phone's: a laptop shows the feed beside the pad instead.
        await bob.Page.SetViewportSizeAsync(1280, 800);
        await Expect(bob.Page.Locator("#table-now")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Without_javascript_the_others_newest_roll_and_the_dice_pad_share_a_phones_first_screen()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob", javaScript: false);
        var code = await dee.CreateRoomAsync("dm-led");
        await bob.JoinAsync(code);
        await bob.Page.SetViewportSizeAsync(390, 844);
        await dee.WaitUntilLiveAsync();
        await dee.RollAsync("1d20+5 stealth");
        var newest = await dee.RollAsync("2d6+3 [slashing]");

        await bob.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh" }).ClickAsync();
        await Expect(bob.Feed).ToHaveCountAsync(2);
        output.WriteLine("390x844, no JavaScript:");
        await AssertFirstScreenAsync(bob, newest, 844, ownResult: false);
    }

    [Fact]
    public async Task A_player_without_javascript_shows_as_present_with_no_live_updates_on_the_others_rosters()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob", javaScript: false);
        var code = await dee.CreateRoomAsync("dm-led");
        await dee.WaitUntilLiveAsync();

        // Bob's page has no stream: its hidden frame's heartbeat keeps him present, and Dee's roster follows live.
        var beat = bob.Page.WaitForRequestAsync(new Regex($"/rooms/{code}/present$"));
        await bob.JoinAsync(code);
        await beat;
        var entry = dee.RosterEntry("Bob");
        await Expect(entry).ToHaveAttributeAsync("data-connected", "true");
        await Expect(entry).ToHaveAttributeAsync("data-live", "false");
        await Expect(entry.Locator("[data-presence]")).ToHaveTextAsync("online, no live updates");
        await Expect(dee.RosterEntry("Dee")).ToHaveAttributeAsync("data-live", "true");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Leaving_lands_on_the_home_page_saying_which_room_was_left(bool javaScript)
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.Open("Alice").Players("Bob").BuildAsync(chromium, server, javaScript);
        var (code, _, bob) = table;
        await bob.Page.SetViewportSizeAsync(390, 844);
        bob.AcceptConfirmations();

        await bob.Page.GetByRole(AriaRole.Button, new() { Name = "Leave the room" }).ClickAsync();

        await Person.ArriveAsync(bob.Page, server.Url("/"));
        await Expect(bob.Page.Locator("[data-left-room]")).ToHaveTextAsync($"You left {code}.");
        await bob.Page.ReloadAsync();
        await Expect(bob.Page.Locator("#create-name")).ToBeVisibleAsync();
        await Expect(bob.Page.Locator("[data-left-room]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_new_dc_and_locking_are_said_once_and_not_again_when_the_page_reconnects()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var link = new NetworkLink(server.BaseAddress);
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee");
        await using var bob = await Person.OpenAsync(chromium, link.BaseAddress, "Bob");
        // The live region keeps its last three lines: this notes every line it ever gets, in order.
        await bob.Context.AddInitScriptAsync("""
            window.__said = [];
            new MutationObserver(() => {
              document.querySelectorAll("#announcer > p:not([data-noted])").forEach((p) => { p.dataset.noted = "1"; window.__said.push(p.dataset.kind + ": " + p.textContent); });
            }).observe(document, { childList: true, subtree: true });
            """);
        var code = await dee.CreateRoomAsync("dm-led");
        await bob.JoinAsync(code);
        await Task.WhenAll(dee.WaitUntilLiveAsync(), bob.WaitUntilLiveAsync());
        async Task<string[]> SaidAsync(string kind) =>
            (await bob.Page.EvaluateAsync<string[]>("() => window.__said")).Where(s => s.StartsWith(kind + ": ", StringComparison.Ordinal)).ToArray();

        await dee.SetDcAsync(15);
        await Expect(bob.Page.Locator("#announcer > p[data-kind=dc]")).ToHaveTextAsync(["The DC is now 15."]);
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Lock the room" }).ClickAsync();
        await Expect(bob.Page.Locator("#announcer > p[data-kind=lock]")).ToHaveTextAsync(["The room is locked: new players knock and wait to be let in."]);

        // The stream drops and comes back: the server sends the DC and the door again, and nothing is said twice.
        link.Cut(Outage.BadGateway);
        await Expect(bob.ConnectionStatus).ToHaveAttributeAsync("data-state", "reconnecting");
        link.Restore();
        await bob.WaitUntilLiveAsync();
        await dee.SetDcAsync(12); // a later change is said (and comes after the reconnect's resend on the same stream)
        await Expect(bob.Page.Locator("#announcer > p[data-kind=dc]").Last).ToHaveTextAsync("The DC is now 12.");
        output.WriteLine($"Bob's screen reader heard: {string.Join(" | ", await bob.Page.EvaluateAsync<string[]>("() => window.__said"))}");
        Assert.Equal(["dc: The DC is now 15.", "dc: The DC is now 12."], await SaidAsync("dc"));
        Assert.Equal(["lock: The room is locked: new players knock and wait to be let in."], await SaidAsync("lock"));
    }
}
