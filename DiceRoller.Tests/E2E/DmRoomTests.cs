using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// A DM-led room in three browsers (the DM and two players): a hidden roll the players cannot read until it is
/// revealed, a DC that reaches every page and grades new rolls, and a kick that ends the player's stream for good.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class DmRoomTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    private const string HiddenDice = "5d100"; // a total of 5..500: a number that would stand out in the HTML

    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task Dm_path_hidden_roll_reveal_dc_and_kick(string store)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var server = await servers.GetAsync(store);
        await using var dana = await Person.OpenAsync(chromium, server.BaseAddress, "Dana");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        await using var cleo = await Person.OpenAsync(chromium, server.BaseAddress, "Cleo");
        var code = await dana.CreateRoomAsync("dm-led");
        await dana.WaitUntilLiveAsync();
        if (store == Stores.Valkey)
        {
            Assert.True(await server.ValkeyHasRoomAsync(code), $"Room {code} is not in Valkey.");
        }

        await bob.JoinAsync(code);
        await cleo.JoinAsync(code);
        await Task.WhenAll(bob.WaitUntilLiveAsync(), cleo.WaitUntilLiveAsync());
        await Expect(dana.Roster).ToHaveCountAsync(3);
        await Expect(dana.Page.Locator("[data-room-mode]")).ToHaveAttributeAsync("data-room-mode", "dm-led");
        await Expect(dana.HiddenCheckbox).ToBeVisibleAsync();
        await Expect(bob.HiddenCheckbox).ToHaveCountAsync(0);
        await Expect(bob.DcInput).ToHaveCountAsync(0);

        // The players' pages before the roll: the numbers they show anyway (a maxlength of 150, htmx's 204 rule, a QR code).
        var bobBefore = await bob.Page.ContentAsync();
        var cleoBefore = await cleo.Page.ContentAsync();

        // The DM rolls in secret: she sees the dice and the total, the players only who rolled (not what).
        var hiddenId = await dana.RollAsync(HiddenDice, hidden: true);
        var danaRow = dana.Row(hiddenId);
        await Expect(danaRow).ToHaveAttributeAsync("data-hidden", "true");
        await Expect(danaRow.Locator("[data-die]")).ToHaveCountAsync(5);
        var total = int.Parse(await danaRow.GetAttributeAsync("data-total") ?? "", CultureInfo.InvariantCulture);
        var dice = await danaRow.Locator("[data-die]").EvaluateAllAsync<string[]>("dice => dice.map(d => d.dataset.die)");
        Assert.Equal(dice.Sum(d => int.Parse(d, CultureInfo.InvariantCulture)), total);
        await Expect(danaRow.GetByRole(AriaRole.Button, new() { Name = "Reveal to everyone" })).ToBeVisibleAsync();

        await ExpectHiddenFromAsync(bob, hiddenId, total, bobBefore);
        await ExpectHiddenFromAsync(cleo, hiddenId, total, cleoBefore);
        await bob.Page.ReloadAsync();
        await ExpectHiddenFromAsync(bob, hiddenId, total, bobBefore);
        await bob.WaitUntilLiveAsync();

        // The reveal replaces the row in place on every page, without a reload.
        var bobPage = await bob.MarkPageAsync();
        var cleoPage = await cleo.MarkPageAsync();
        await danaRow.GetByRole(AriaRole.Button, new() { Name = "Reveal to everyone" }).ClickAsync();
        await ExpectActionStatusAsync(dana, $"Revealed Dana's {HiddenDice}: {total}.");
        foreach (var person in new[] { bob, cleo, dana })
        {
            var row = person.Row(hiddenId);
            await Expect(row).ToHaveAttributeAsync("data-total", total.ToString(CultureInfo.InvariantCulture));
            await Expect(row.Locator("[data-die]")).ToHaveCountAsync(5);
            Assert.Equal(dice, await row.Locator("[data-die]").EvaluateAllAsync<string[]>("dice => dice.map(d => d.dataset.die)"));
            await Expect(row).ToContainTextAsync("revealed");
            await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Reveal to everyone" })).ToHaveCountAsync(0);
            await Expect(person.Feed).ToHaveCountAsync(1);
        }

        Assert.Equal(bobPage, await bob.PageMarkerAsync());
        Assert.Equal(cleoPage, await cleo.PageMarkerAsync());

        // A DC reaches every page live and grades the rolls made while it is set.
        await dana.SetDcAsync(15);
        await ExpectActionStatusAsync(dana, "DC set to 15.");
        await Expect(dana.DcStatus).ToHaveAttributeAsync("data-dc", "15");
        await Expect(bob.DcStatus).ToHaveAttributeAsync("data-dc", "15");
        await Expect(cleo.DcStatus).ToHaveAttributeAsync("data-dc", "15");
        await Expect(bob.DcStatus).ToContainTextAsync("Current DC: 15");
        var gradedId = await bob.RollAsync("1d20");
        var graded = bob.Page.Locator("#roll-result > li[data-roll-id]");
        var gradedTotal = int.Parse(await graded.GetAttributeAsync("data-total") ?? "", CultureInfo.InvariantCulture);
        var passed = gradedTotal >= 15 ? "true" : "false";
        output.WriteLine($"{store}: Bob rolled {gradedTotal} against DC 15, passed: {passed}.");
        foreach (var row in new[] { graded, bob.Row(gradedId), cleo.Row(gradedId), dana.Row(gradedId) })
        {
            await Expect(row).ToHaveAttributeAsync("data-dc", "15");
            await Expect(row).ToHaveAttributeAsync("data-dc-passed", passed);
            await Expect(row).ToContainTextAsync($"{(gradedTotal >= 15 ? "Pass" : "Fail")} vs DC 15");
        }

        Assert.Equal(bobPage, await bob.PageMarkerAsync());

        // Clearing the DC later does not rewrite the roll it graded.
        await dana.SetDcAsync(null);
        await ExpectActionStatusAsync(dana, "DC cleared.");
        await Expect(dana.DcStatus).ToHaveAttributeAsync("data-dc", "");
        await Expect(bob.DcStatus).ToHaveAttributeAsync("data-dc", "");
        await Expect(cleo.DcStatus).ToContainTextAsync("No DC is set.");
        await bob.Page.ReloadAsync();
        await Expect(bob.Row(gradedId)).ToHaveAttributeAsync("data-dc", "15");
        await Expect(bob.Row(gradedId)).ToHaveAttributeAsync("data-dc-passed", passed);
        await bob.WaitUntilLiveAsync();

        // The DM removes Bob: his page says so and stops listening; the others' rosters drop him live.
        dana.AcceptConfirmations();
        await dana.RosterEntry("Bob").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await ExpectActionStatusAsync(dana, "Bob was removed from the room.");
        await Expect(bob.Notice).ToHaveAttributeAsync("data-notice", "player-kicked");
        await Expect(bob.ConnectionStatus).ToHaveAttributeAsync("data-state", "closed");
        await Expect(bob.Live).Not.ToHaveAttributeAsync("sse-connect", new Regex(".*"));
        foreach (var person in new[] { dana, cleo })
        {
            await Expect(person.Roster).ToHaveCountAsync(2);
            await Expect(person.RosterEntry("Bob")).ToHaveCountAsync(0);
        }

        // Bob's open page switches its roll controls off at once (what a stale page still sends is KICKED: endpoint
        // tests), and joining again under another name is refused.
        await Expect(bob.Live).ToHaveAttributeAsync("data-ended", "player-kicked");
        await Expect(bob.RollButton).ToBeDisabledAsync();
        await Expect(bob.Page.Locator("#roll-dice")).ToBeDisabledAsync();
        var rejoin = await TryJoinAsync(bob, server, code, "Robert");
        Assert.Equal(403, rejoin.Status);
        await Expect(bob.Page.Locator("[data-error-code]")).ToHaveAttributeAsync("data-error-code", "KICKED");
        await Expect(dana.Roster).ToHaveCountAsync(2);
        output.WriteLine($"{store}: the DM path took {clock.ElapsedMilliseconds} ms.");
    }

    /// <summary>
    /// The DM's page confirms the action in <c>#action-result</c>, and keeps that element for the next action
    /// (every DM form posts there with htmx).
    /// </summary>
    private static Task ExpectActionStatusAsync(Person dm, string message) =>
        Expect(dm.Page.Locator("#action-result")).ToContainTextAsync(message);

    /// <summary>
    /// The player's row says who rolled what, and nothing of the dice or the total, in the DOM or the HTML. The page as a
    /// whole may not show the total more often than it did before the roll (<paramref name="pageBefore"/>): the total is
    /// random, and a player's page shows some numbers anyway (150 and 204 stand alone in it; 5d100 lands on one of its
    /// standalone numbers about once in 140 rolls).
    /// </summary>
    private static async Task ExpectHiddenFromAsync(Person player, string rollId, int total, string pageBefore)
    {
        var row = player.Row(rollId);
        await Expect(row).ToHaveAttributeAsync("data-hidden", "true");
        await Expect(row.Locator("[data-formula]")).ToHaveCountAsync(0); // the formula would tell the roll's size
        await Expect(row).Not.ToContainTextAsync(HiddenDice);
        await Expect(row).ToContainTextAsync("Dana");
        await Expect(row).ToContainTextAsync("rolled in secret");
        await Expect(row).Not.ToHaveAttributeAsync("data-total", new Regex(".*"));
        await Expect(row).Not.ToHaveAttributeAsync("data-dc", new Regex(".*"));
        await Expect(row.Locator("[data-die], [data-total-value], a[data-permalink], [data-copy]")).ToHaveCountAsync(0);
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Reveal to everyone" })).ToHaveCountAsync(0);

        var outerHtml = await row.EvaluateAsync<string>("row => row.outerHTML");
        Assert.False(ShowsNumber(outerHtml, total), $"{player.Name}'s row shows the hidden total {total}: {outerHtml}");
        var page = await player.Page.ContentAsync();
        var (now, before) = (TimesShown(page, total), TimesShown(pageBefore, total));
        Assert.True(now <= before, $"{player.Name}'s page shows the hidden total {total} {now} time(s), {before} before the roll.");
    }

    /// <summary>
    /// How often <paramref name="number"/> stands alone in the HTML. Digits inside ids, times, dates, class names
    /// and dice notation (joined by letters, dots, colons or dashes) do not count.
    /// </summary>
    private static int TimesShown(string html, int number) =>
        Regex.Matches(html, $@"(?<![\w.:\-]){number.ToString(CultureInfo.InvariantCulture)}(?![\w.:\-])", RegexOptions.None, TimeSpan.FromSeconds(1)).Count;

    /// <summary>True when <paramref name="number"/> stands alone in the HTML (see <see cref="TimesShown"/>).</summary>
    private static bool ShowsNumber(string html, int number) => TimesShown(html, number) > 0;

    /// <summary>Joins with the home page's form and returns the answer to the post, whatever it is.</summary>
    private static async Task<IResponse> TryJoinAsync(Person person, AppServer server, string code, string name)
    {
        await person.Page.GotoAsync(server.Url("/"));
        await person.Page.Locator("#join-code").FillAsync(code);
        await person.Page.Locator("#join-name").FillAsync(name);
        return await person.Page.RunAndWaitForResponseAsync(
            () => person.Page.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync(),
            response => response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath == "/join");
    }
}
