using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// Saved rolls ("Longsword: 1d20+5"): one tap rolls exactly what was saved, whatever the pad shows. They are kept with the
/// seat on the server (the continue link brings them to another device); the browser's copy follows it to the next room,
/// and they work without JavaScript too.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class PresetTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task A_saved_roll_rolls_with_one_tap_without_reload_and_is_there_in_the_next_room()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        await Expect(alice.Page.Locator("#presets")).ToBeVisibleAsync();

        await alice.SaveRollAsync("Longsword", "1d20+5");
        await alice.SaveRollAsync("Fireball", "8d6");
        var longsword = alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Longsword: 1d20+5" });
        await Expect(longsword).ToBeVisibleAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Fireball: 8d6" })).ToBeVisibleAsync();

        // The pad says 4 dice, +2, Advantage: the saved rolls ignore all of it.
        var marker = await alice.MarkPageAsync();
        await alice.Page.Locator("#roll-count").FillAsync("4");
        await alice.Page.Locator("#roll-modifier").FillAsync("2");
        await alice.Page.GetByLabel("Advantage", new() { Exact = true }).CheckAsync();
        var post = await alice.Page.RunAndWaitForResponseAsync(() => longsword.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(200, post.Status);
        var own = alice.Page.Locator("#roll-result > li[data-roll-id]");
        await Expect(own.Locator("[data-formula]")).ToHaveTextAsync("1d20+5");
        await Expect(own.Locator(".die")).ToHaveCountAsync(1);
        await Expect(alice.Feed).ToHaveCountAsync(1);
        Assert.Equal(marker, await alice.PageMarkerAsync());
        output.WriteLine($"Tapped \"Longsword\" with the pad at 4 dice, +2, Advantage: rolled {await own.GetAttributeAsync("data-total")} on 1d20+5, one die.");

        await alice.Page.Locator("#roll-modifier").FillAsync("3");
        await alice.Page.GetByLabel("Advantage", new() { Exact = true }).CheckAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Fireball: 8d6" }).ClickAsync();
        await Expect(own.Locator("[data-formula]")).ToHaveTextAsync("8d6");
        await Expect(own.Locator(".die")).ToHaveCountAsync(8);
        await Expect(alice.Feed).ToHaveCountAsync(2);

        // Another room, the same browser: the saved rolls are there; deleting one keeps it deleted.
        await alice.CreateRoomAsync();
        await Expect(longsword).ToBeVisibleAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Delete Fireball" }).ClickAsync();
        await Expect(alice.Page.Locator("#preset-list > li")).ToHaveCountAsync(1);
        await alice.Page.ReloadAsync();
        await Expect(alice.Page.Locator("#preset-list > li")).ToHaveCountAsync(1);
        await Expect(longsword).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_saved_roll_keeps_its_advantage_and_a_bad_formula_is_refused_when_saved()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();

        await alice.SaveRollAsync("Sneak attack", "1d20+7", advantage: "advantage");
        await alice.Page.Locator("#preset-name").FillAsync("Nonsense");
        await alice.Page.Locator("#preset-formula").FillAsync("roll a lot");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(alice.Page.Locator("#presets [data-error-code]")).ToHaveAttributeAsync("data-error-code", "INVALID_DICE_FORMAT");
        await Expect(alice.Page.Locator("#preset-formula")).ToHaveValueAsync("roll a lot");
        await Expect(alice.Page.Locator("#preset-list > li")).ToHaveCountAsync(1);
        var own = alice.Page.Locator("#roll-result > li[data-roll-id]");

        // The pad is at Normal: the saved roll still rolls with advantage, as saved.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Sneak attack: 1d20+7 adv" }).ClickAsync();
        await Expect(own.Locator("[data-formula]")).ToHaveTextAsync("1d20+7");
        await Expect(own.Locator(".die")).ToHaveCountAsync(2);
        await Expect(own.Locator(".die-dropped")).ToHaveCountAsync(1);
        await Expect(alice.Feed).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Saved_rolls_of_an_older_version_still_roll()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.Page.EvaluateAsync("() => localStorage.setItem('diceroller.presets', JSON.stringify([{ name: 'Dagger', formula: '1d4+2' }]))");
        await alice.Page.ReloadAsync();
        await alice.WaitUntilLiveAsync();

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Dagger: 1d4+2" }).ClickAsync();

        await Expect(alice.Page.Locator("#roll-result > li[data-roll-id] [data-formula]")).ToHaveTextAsync("1d4+2");
    }

    [Fact]
    public async Task Without_javascript_saved_rolls_save_roll_and_remove_as_plain_form_posts()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice", javaScript: false);
        await alice.CreateRoomAsync();
        await Expect(alice.Page.Locator("#presets")).ToBeVisibleAsync();

        await alice.SaveRollAsync("Longsword", "1d20+5");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Longsword: 1d20+5" }).ClickAsync();
        await Expect(alice.Page.Locator("#roll-result > li[data-roll-id] [data-formula]")).ToHaveTextAsync("1d20+5");
        await Expect(alice.Feed).ToHaveCountAsync(1);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Delete Longsword" }).ClickAsync();
        await Expect(alice.Page.Locator("#preset-list > li")).ToHaveCountAsync(0);
        await Expect(alice.Page.Locator("[data-presets-empty]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Saved_rolls_follow_the_seat_through_the_continue_link_to_another_browser()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.Open().Players("Bob").BuildAsync(chromium, server);
        var (code, _, bob) = table;
        await using var bobsPhone = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        await bob.WaitUntilLiveAsync();
        await bob.SaveRollAsync("Longsword", "1d20+5");
        await bob.SaveRollAsync("Fireball", "8d6");

        await bob.Page.GetByText("Use on another device").ClickAsync();
        var url = (await bob.Page.Locator("#continue-panel a[data-continue-link]").GetAttributeAsync("href"))!;
        await bobsPhone.Page.GotoAsync(url);
        await bobsPhone.Page.GetByRole(AriaRole.Button, new() { Name = "Continue as Bob" }).ClickAsync();
        await bobsPhone.WaitUntilLiveAsync();

        // The other browser never saw them: they come from the seat, and roll there with one tap.
        await Expect(bobsPhone.Page.Locator("#preset-list [data-preset-label]")).ToHaveTextAsync(["Longsword: 1d20+5", "Fireball: 8d6"]);
        await bobsPhone.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Fireball: 8d6" }).ClickAsync();
        await Expect(bobsPhone.Page.Locator("#roll-result > li[data-roll-id] .die")).ToHaveCountAsync(8);
        output.WriteLine($"Room {code}: saved on Bob's first browser, shown and rolled on the second after the continue link.");
    }
}
