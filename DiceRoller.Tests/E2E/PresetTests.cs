using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// Saved rolls ("Longsword: 1d20+5"): one tap rolls exactly what was saved, whatever the pad shows; they stay in the
/// browser across rooms, and need JavaScript.
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
    public async Task A_saved_roll_keeps_its_advantage_and_the_room_is_the_one_that_checks_its_formula()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();

        await alice.SaveRollAsync("Sneak attack", "1d20+7", advantage: "advantage");
        await alice.SaveRollAsync("Nonsense", "roll a lot");
        var own = alice.Page.Locator("#roll-result > li[data-roll-id]");

        // The pad is at Normal: the saved roll still rolls with advantage, as saved.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Sneak attack: 1d20+7 adv" }).ClickAsync();
        await Expect(own.Locator("[data-formula]")).ToHaveTextAsync("1d20+7");
        await Expect(own.Locator(".die")).ToHaveCountAsync(2);
        await Expect(own.Locator(".die-dropped")).ToHaveCountAsync(1);

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Nonsense: roll a lot" }).ClickAsync();
        await Expect(alice.Page.Locator("#roll-result [data-error-code]")).ToHaveAttributeAsync("data-error-code", "INVALID_DICE_FORMAT");
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
    public async Task Without_javascript_there_is_no_saved_rolls_section()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice", javaScript: false);
        await alice.CreateRoomAsync();

        await Expect(alice.Page.Locator("#presets")).ToBeHiddenAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Heading, new() { Name = "Saved rolls" })).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true })).ToHaveCountAsync(0);
    }
}
