using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// Kicks, knocks and the creation proof of work in real Chromium: everyone here comes from 127.0.0.1, like a table on one
/// Wi-Fi, so after a kick every newcomer knocks and the DM lets them in with one tap.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed partial class DoorBrowserTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    [GeneratedRegex(@"/rooms/[A-Z]+-\d{4}$")]
    private static partial Regex RoomUrl();

    private async Task ExpectNoSeriousAxeFindingsAsync(IPage page, string name)
    {
        var violations = await Axe.RunAsync(page);
        output.WriteLine($"axe {name}: {violations.Count(v => v.IsSeriousOrWorse)} serious/critical, {violations.Count(v => !v.IsSeriousOrWorse)} other " +
            $"({string.Join(", ", violations.Select(v => $"{v.Id}: {v.Impact}"))})");
        Assert.Empty(violations.Where(v => v.IsSeriousOrWorse).Select(v => v.ToString()));
    }

    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task A_kick_switches_off_the_kicked_page_and_a_newcomer_on_the_same_network_knocks_and_is_admitted_live(string store)
    {
        var server = await servers.GetAsync(store);
        await using var table = await Table.DmLed("Dee").Players("Pat").BuildAsync(chromium, server);
        var (code, dee, pat) = table;
        await using var sam = await Person.OpenAsync(chromium, server.BaseAddress, "Sam");
        dee.AcceptConfirmations();
        await Task.WhenAll(dee.WaitUntilLiveAsync(), pat.WaitUntilLiveAsync());
        await Expect(pat.RollButton).ToBeEnabledAsync();

        await dee.RosterEntry("Pat").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();

        // The removed page says why and every control is off at once, before any tap could fail.
        await Expect(pat.Notice).ToHaveAttributeAsync("data-notice", "player-kicked");
        await Expect(pat.Live).ToHaveAttributeAsync("data-ended", "player-kicked");
        await Expect(pat.RollButton).ToBeDisabledAsync();
        await Expect(pat.DieButton(20)).ToBeDisabledAsync();
        await Expect(dee.Roster).ToHaveCountAsync(1);

        // The DM's door says so live, in words that agree with the room: open, but Pat's network knocks for a while.
        await Expect(dee.Page.Locator("#door-panel [data-knock-until]")).ToContainTextAsync("Open; joins from the removed player's network knock until");

        // Sam is on the same network (and the same browser make) as Pat: not refused, but asked to wait.
        await sam.Page.GotoAsync(server.Url($"/rooms/{code}"));
        await sam.Page.Locator("#join-name").FillAsync("Sam");
        var knocked = Stopwatch.StartNew();
        var response = await sam.Page.RunAndWaitForResponseAsync(
            () => sam.Page.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync(),
            r => r.Url.EndsWith("/join", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.Equal(202, response.Status);
        var knockId = await sam.Page.Locator("main > [data-knock-id]").GetAttributeAsync("data-knock-id");
        Assert.False(string.IsNullOrEmpty(knockId));

        var knock = dee.Page.Locator($"#door-panel #knocks li[data-knock-id='{knockId}']");
        await Expect(knock).ToBeVisibleAsync();
        var shownAfter = knocked.ElapsedMilliseconds;
        output.WriteLine($"{store}: the knock showed on the DM's page {shownAfter} ms after Sam's join answer");
        await Expect(knock).ToContainTextAsync("Someone wants to join as Sam");
        await Expect(dee.Page.Locator("#announcer > p", new() { HasText = "Someone wants to join as Sam." })).ToHaveCountAsync(1);
        await Expect(pat.Page.Locator("#knocks")).ToHaveCountAsync(0);

        await ExpectNoSeriousAxeFindingsAsync(sam.Page, "waiting page");
        await ExpectNoSeriousAxeFindingsAsync(dee.Page, "room page with a knock");

        await knock.GetByRole(AriaRole.Button, new() { Name = "Admit Sam" }).ClickAsync();

        await Person.ArriveAsync(sam.Page, RoomUrl());
        await Expect(sam.Page.Locator("[data-room-code]")).ToHaveAttributeAsync("data-room-code", code);
        await sam.WaitUntilLiveAsync();
        await Expect(dee.RosterEntry("Sam")).ToHaveCountAsync(1);
        await Expect(dee.Page.Locator("#knocks")).ToHaveCountAsync(0);
        await sam.RollAsync("1d20");
        await Expect(dee.Feed).ToHaveCountAsync(1);

        // One tap ends the window: the panel goes back to plain "Open" on the DM's live page.
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Let them in freely" }).ClickAsync();
        await Expect(dee.Page.Locator("#door-panel [data-knock-until]")).ToHaveCountAsync(0);
        Assert.True(shownAfter < 3000, $"the knock took {shownAfter} ms to show");
    }

    [Fact]
    public async Task Without_javascript_the_waiting_page_refreshes_itself_until_the_dm_turns_the_person_away()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee");
        await using var uma = await Person.OpenAsync(chromium, server.BaseAddress, "Uma", javaScript: false);
        var code = await dee.CreateRoomAsync("dm-led");
        await dee.WaitUntilLiveAsync();
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Lock the room" }).ClickAsync();
        await Expect(dee.Page.Locator("#door-panel")).ToHaveAttributeAsync("data-locked", "true");

        await uma.Page.GotoAsync(server.Url($"/rooms/{code}"));
        await uma.Page.Locator("#join-name").FillAsync("Uma");
        await uma.Page.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync();
        await Expect(uma.Page.Locator("[data-knock-state=waiting]")).ToBeVisibleAsync();

        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Refuse Uma" }).ClickAsync();

        // The meta refresh (every 3 s) brings the answer; nothing is clicked on Uma's side.
        await Expect(uma.Page.Locator("[data-error-code=ROOM_LOCKED]")).ToBeVisibleAsync();
        await Expect(dee.Roster).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Beyond_the_burst_the_browser_proves_its_work_and_creates_the_room_while_without_javascript_it_is_told_to_wait()
    {
        await using var server = await AppServer.StartAsync(Stores.Embedded, new Dictionary<string, string> { ["Rooms:CreateLimit"] = "1" });
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee");
        await using var noScript = await Person.OpenAsync(chromium, server.BaseAddress, "Nia", javaScript: false);
        await dee.CreateRoomAsync();

        // Beyond the burst: a 429 with a challenge, solved in the page, and the form is sent again by itself.
        var clock = Stopwatch.StartNew();
        long challengedAt = 0;
        var solveTimes = new List<long>();
        dee.Page.Response += (_, r) =>
        {
            if (r.Status == 429 && r.Url.EndsWith("/rooms", StringComparison.Ordinal))
            {
                challengedAt = clock.ElapsedMilliseconds;
            }
        };
        dee.Page.Request += (_, r) =>
        {
            var form = r.PostData ?? "";
            if (r.Method == "POST" && form.Contains("pow_nonce=", StringComparison.Ordinal) && !form.Contains("pow_nonce=&", StringComparison.Ordinal))
            {
                solveTimes.Add(clock.ElapsedMilliseconds - challengedAt);
            }
        };
        for (var i = 0; i < 5; i++)
        {
            await dee.Page.GotoAsync(server.Url("/"));
            await dee.Page.Locator("#create-name").FillAsync("Dee");
            await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
            await Person.ArriveAsync(dee.Page, RoomUrl());
            await Expect(dee.Page.Locator("[data-room-code]")).ToBeVisibleAsync();
            Assert.Equal(i + 1, solveTimes.Count);
        }

        output.WriteLine($"proof of work at the default difficulty ({new DiceRoller.Rooms.RoomOptions().ProofDifficulty} bits), headless Chromium: " +
            $"{string.Join(", ", solveTimes)} ms (from the 429 answer to the proved request)");

        // The challenge page itself, kept in place: from here on this page's form.submit() records the form instead of
        // sending it (an init script), so the page stays whatever the timing, even for a nonce found in the first batch
        // before the page has finished loading. It sends a nonce, hides the wait message and its status region speaks.
        await dee.Page.AddInitScriptAsync(
            "HTMLFormElement.prototype.submit = function () { this.dataset.sent = new URLSearchParams(new FormData(this)).toString(); };");
        await dee.Page.GotoAsync(server.Url("/"));
        await dee.Page.Locator("#create-name").FillAsync("Dee");
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Expect(dee.Page.Locator("#create-form")).ToHaveAttributeAsync("data-sent", new Regex("(^|&)pow_nonce=[0-9a-z]+(&|$)"));
        await Expect(dee.Page.Locator("#pow-status[role=status]")).ToHaveTextAsync("Done. Creating your room\u2026");
        await Expect(dee.Page.Locator("#create-form [data-error-code=RATE_LIMIT]")).ToBeHiddenAsync();

        // Without JavaScript, beyond the burst: a clear 429 with the time to wait.
        await noScript.Page.GotoAsync(server.Url("/"));
        await noScript.Page.Locator("#create-name").FillAsync("Nia");
        var refused = await noScript.Page.RunAndWaitForResponseAsync(
            () => noScript.Page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync(),
            r => r.Url.EndsWith("/rooms", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.Equal(429, refused.Status);
        var error = noScript.Page.Locator("#create-form [data-error-code=RATE_LIMIT]");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error).ToContainTextAsync(new Regex(@"try again in \d+ (minutes|seconds)"));
        Assert.DoesNotMatch(RoomUrl(), noScript.Page.Url);
    }
}
