using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>The Invite panel (link, copy, share sheet, QR code) and continuing as the same player on another device, in Chromium.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class InviteAndContinueTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    private void AssertNoSeriousAxeFindings(string name, IReadOnlyList<AxeViolation> violations)
    {
        output.WriteLine($"{name}: {violations.Count(v => v.IsSeriousOrWorse)} serious/critical, {violations.Count(v => !v.IsSeriousOrWorse)} other");
        Assert.Empty(violations.Where(v => v.IsSeriousOrWorse).Select(v => v.ToString()));
    }

    [Fact]
    public async Task The_invite_panel_shows_the_join_link_and_its_qr_code_and_copies_the_link()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = server.BaseAddress.GetLeftPart(UriPartial.Authority) });
        var code = await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        var panel = alice.Page.Locator("#invite-panel");
        var joinUrl = server.Url($"/rooms/{code}");

        await Expect(panel.Locator("a[data-join-link]")).ToHaveTextAsync(joinUrl);
        var qr = panel.GetByRole(AriaRole.Img, new() { Name = $"QR code of the link to join room {code}" });
        await Expect(qr).ToBeVisibleAsync();
        var box = (await qr.BoundingBoxAsync())!;
        output.WriteLine($"join QR: {box.Width:0} x {box.Height:0} px");
        Assert.InRange(box.Width, 150, 400);
        Assert.Equal(box.Width, box.Height, 1);

        await Expect(panel.GetByRole(AriaRole.Button, new() { Name = $"Copy link to join room {code}" })).ToBeVisibleAsync();
        var copy = panel.Locator("button.copy-link"); // by class: its name changes to "Copied!" for a moment
        await copy.ClickAsync();
        await Expect(copy).ToContainTextAsync("Copied!");
        Assert.Equal(joinUrl, await alice.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // Headless Chromium on Linux has no share sheet: the Share button stays hidden rather than doing nothing.
        var hasShare = await alice.Page.EvaluateAsync<bool>("() => typeof navigator.share === 'function'");
        await Expect(panel.Locator("button[data-share]")).ToBeVisibleAsync(new() { Visible = hasShare });
        await alice.Page.Locator("#continue-panel summary").ClickAsync();
        AssertNoSeriousAxeFindings("room with invite and open continue panel", await Axe.RunAsync(alice.Page));
    }

    [Fact]
    public async Task Where_the_phone_has_a_share_sheet_the_share_button_hands_it_the_join_link()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        // A phone's share sheet, stood in for: records what it was given.
        await alice.Context.AddInitScriptAsync("navigator.share = data => { window.__shared = data; return Promise.resolve(); };");
        var code = await alice.CreateRoomAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = $"Share… the link to room {code}" }).ClickAsync();

        var shared = await alice.Page.WaitForFunctionAsync("() => window.__shared && window.__shared.url");
        Assert.Equal(server.Url($"/rooms/{code}"), await shared.JsonValueAsync<string>());
    }

    [Fact]
    public async Task A_player_continues_on_a_second_device_as_themself_after_confirming()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.Open().Players("Bob").BuildAsync(chromium, server);
        var (code, alice, bob) = table;
        await using var bobsPhone = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        await alice.WaitUntilLiveAsync();
        await Expect(alice.Roster).ToHaveCountAsync(2);

        await bob.Page.GetByText("Use on another device").ClickAsync();
        var link = bob.Page.Locator("#continue-panel a[data-continue-link]");
        await Expect(link).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Img, new() { Name = "QR code of your private link to continue on another device" })).ToBeVisibleAsync();
        var url = (await link.GetAttributeAsync("href"))!;
        Assert.StartsWith(server.Url($"/rooms/{code}/continue/"), url, StringComparison.Ordinal);
        await Expect(alice.Page.Locator("#continue-panel a[data-continue-link]")).Not.ToHaveAttributeAsync("href", url);

        await bobsPhone.Page.GotoAsync(url);
        await Expect(bobsPhone.Page.GetByRole(AriaRole.Heading, new() { Name = "Continue as Bob?" })).ToBeVisibleAsync();
        AssertNoSeriousAxeFindings("continue confirm page", await Axe.RunAsync(bobsPhone.Page));
        await bobsPhone.Page.GetByRole(AriaRole.Button, new() { Name = "Continue as Bob" }).ClickAsync();

        await Expect(bobsPhone.Page.Locator("#roll-form")).ToBeVisibleAsync();
        await bobsPhone.WaitUntilLiveAsync();
        await Expect(bobsPhone.RosterEntry("Bob")).ToContainTextAsync("you");
        await Expect(alice.Roster).ToHaveCountAsync(2);
        var rollId = await bobsPhone.RollAsync("1d20");
        await Expect(alice.Row(rollId)).ToContainTextAsync("Bob");
        await Expect(bob.Row(rollId)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_dm_hands_over_after_confirming_then_leaves_and_the_table_sees_both()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (code, dee, bob) = table;
        await dee.WaitUntilLiveAsync();
        await bob.WaitUntilLiveAsync();
        var confirmations = new List<string>();
        dee.Page.Dialog += async (_, dialog) =>
        {
            confirmations.Add(dialog.Message);
            await dialog.AcceptAsync();
        };
        var hiddenId = await dee.RollAsync("1d20 # Ambush", hidden: true);

        await dee.RosterEntry("Bob").GetByRole(AriaRole.Button, new() { Name = "Hand over DM to Bob" }).ClickAsync();

        // Every page reloads with the controls of its new role; the feed marks where the screen passed.
        await Expect(bob.DcInput).ToBeVisibleAsync();
        await Expect(bob.Page.Locator("#feed [data-hand-over]")).ToContainTextAsync("The DM role passed to Bob");
        await Expect(dee.DcInput).ToHaveCountAsync(0);
        Assert.Contains("Hand the DM role to Bob?", Assert.Single(confirmations), StringComparison.Ordinal);
        Assert.Contains("Your hidden rolls stay yours", confirmations[0], StringComparison.Ordinal);
        await dee.WaitUntilLiveAsync();
        await bob.WaitUntilLiveAsync();

        // Dee's hidden roll stays hers: Bob, DM now, sees no total, label or Reveal button; Dee still reveals it.
        await Expect(bob.Row(hiddenId)).ToHaveAttributeAsync("data-hidden", "true");
        await Expect(bob.Row(hiddenId)).Not.ToHaveAttributeAsync("data-total", new System.Text.RegularExpressions.Regex(".*"));
        await Expect(bob.Row(hiddenId).Locator("[data-label], form")).ToHaveCountAsync(0);
        await Expect(bob.Row(hiddenId)).Not.ToContainTextAsync("Ambush");
        await Expect(dee.Row(hiddenId).Locator("[data-label]")).ToHaveTextAsync("Ambush");
        await dee.Row(hiddenId).GetByRole(AriaRole.Button, new() { Name = "Reveal to everyone" }).ClickAsync();
        await Expect(bob.Row(hiddenId)).ToHaveAttributeAsync("data-total", new System.Text.RegularExpressions.Regex("^[0-9]+$"));
        await Expect(bob.Row(hiddenId).Locator("[data-label]")).ToHaveTextAsync("Ambush");

        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Leave the room" }).ClickAsync();

        await Person.ArriveAsync(dee.Page, server.Url("/"));
        await Expect(bob.Roster).ToHaveCountAsync(1);
        // Bob now holds the creator's rights: his page reloads with them (the roster's "Dee left the room." note,
        // proven by the endpoint tests, is replaced by that reload).
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Close the room" })).ToBeVisibleAsync();
        Assert.Contains("Leave room", confirmations[^1], StringComparison.Ordinal);
    }
}
