using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>Saved rolls ("Longsword: 1d20+5"): one tap rolls them, they stay in the browser across rooms, and need JavaScript.</summary>
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

        await SaveAsync(alice, "Longsword", "1d20+5");
        await SaveAsync(alice, "Fireball", "8d6");
        var longsword = alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Longsword: 1d20+5" });
        await Expect(longsword).ToBeVisibleAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Fireball: 8d6" })).ToBeVisibleAsync();

        var marker = await alice.MarkPageAsync();
        await alice.Page.Locator("#roll-modifier").FillAsync("2");
        var post = await alice.Page.RunAndWaitForResponseAsync(() => longsword.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(200, post.Status);
        await Expect(alice.Page.Locator("#roll-result > li[data-roll-id] [data-formula]")).ToHaveTextAsync("1d20+5");
        await Expect(alice.Feed).ToHaveCountAsync(1);
        Assert.Equal(marker, await alice.PageMarkerAsync());
        output.WriteLine($"Tapped \"Longsword\": rolled {await alice.Page.Locator("#roll-result > li").GetAttributeAsync("data-total")} on 1d20+5 without a reload.");

        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Roll Fireball: 8d6" }).ClickAsync();
        await Expect(alice.Page.Locator("#roll-result > li[data-roll-id] [data-formula]")).ToHaveTextAsync("8d6");

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
    public async Task A_saved_roll_must_be_dice_notation()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await Expect(alice.Page.Locator("#presets")).ToBeVisibleAsync();

        await alice.Page.Locator("#preset-name").FillAsync("Nonsense");
        await alice.Page.Locator("#preset-formula").FillAsync("roll a lot");
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();

        Assert.False(await alice.Page.Locator("#preset-formula").EvaluateAsync<bool>("input => input.checkValidity()"));
        await Expect(alice.Page.Locator("#preset-list > li")).ToHaveCountAsync(0);
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

    private static async Task SaveAsync(Person person, string name, string formula)
    {
        await person.Page.Locator("#preset-name").FillAsync(name);
        await person.Page.Locator("#preset-formula").FillAsync(formula);
        await person.Page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(person.Page.GetByRole(AriaRole.Button, new() { Name = $"Roll {name}: {formula}" })).ToBeVisibleAsync();
    }
}
