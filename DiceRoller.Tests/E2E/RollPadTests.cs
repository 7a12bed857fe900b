using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// Rolling by thumb: one tap on a die rolls exactly what its button says (the count, modifier and advantage set around
/// the pad), then the pad starts over.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class RollPadTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task One_tap_on_a_die_rolls_the_stepped_count_of_it_with_the_stepped_modifier_without_reload()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        var marker = await alice.MarkPageAsync();

        var more = alice.Page.GetByRole(AriaRole.Button, new() { Name = "More dice" });
        await more.ClickAsync();
        await more.ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Raise modifier" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Lower modifier" }).ClickAsync();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Lower modifier" }).ClickAsync();
        await Expect(alice.Page.Locator("#roll-count")).ToHaveValueAsync("3");
        await Expect(alice.Page.Locator("#roll-modifier")).ToHaveValueAsync("-1");
        Assert.Equal("3d6-1", await alice.DieLabelAsync(6));

        var rollId = await alice.RollDieAsync(6);

        var row = alice.Page.Locator($"#roll-result > li[data-roll-id='{rollId}']");
        await Expect(row.Locator("[data-formula]")).ToHaveTextAsync("3d6-1");
        await Expect(row.Locator(".die")).ToHaveCountAsync(3);
        await Expect(alice.Page.Locator($"#feed > li[data-roll-id='{rollId}']")).ToHaveCountAsync(1);
        Assert.Equal(marker, await alice.PageMarkerAsync());
        await Expect(alice.Page.Locator("#roll-count")).ToHaveValueAsync("1");
        await Expect(alice.Page.Locator("#roll-modifier")).ToHaveValueAsync("0");
        Assert.Equal("1d6", await alice.DieLabelAsync(6));
        output.WriteLine($"One tap on d6 with count 3 and modifier -1 rolled {await row.GetAttributeAsync("data-total")} on 3d6-1.");
    }

    [Fact]
    public async Task Advantage_applies_to_the_d20_and_the_other_dice_roll_plain()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();

        await alice.Page.GetByLabel("Advantage", new() { Exact = true }).CheckAsync();
        Assert.Equal("1d20 adv", await alice.DieLabelAsync(20));
        var d20 = await alice.RollDieAsync(20);
        await Expect(alice.Page.GetByLabel("Normal", new() { Exact = true })).ToBeCheckedAsync();
        await alice.Page.GetByLabel("Advantage", new() { Exact = true }).CheckAsync();
        Assert.Equal("1d8 no adv", await alice.DieLabelAsync(8));
        var d8 = await alice.RollDieAsync(8);

        var feed = alice.Page.Locator("#feed");
        await Expect(feed.Locator($"li[data-roll-id='{d20}'] .die")).ToHaveCountAsync(2);
        await Expect(feed.Locator($"li[data-roll-id='{d20}'] .die-dropped")).ToHaveCountAsync(1);
        await Expect(feed.Locator($"li[data-roll-id='{d20}']")).ToContainTextAsync("advantage");
        await Expect(feed.Locator($"li[data-roll-id='{d8}'] [data-formula]")).ToHaveTextAsync("1d8");
        await Expect(feed.Locator($"li[data-roll-id='{d8}'] .die")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Hidden_is_for_one_roll_unless_the_dm_pins_keep_hidden_on_which_is_marked_in_words()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee");
        await dee.CreateRoomAsync("dm-led");
        await dee.WaitUntilLiveAsync();
        var keep = dee.Page.Locator("#roll-form input[name=keep_hidden]");
        var pinned = dee.Page.Locator("[data-hidden-pinned]");

        var once = await dee.RollDieAsync(20, hidden: true);
        await Expect(dee.Row(once)).ToHaveAttributeAsync("data-hidden", "true");
        await Expect(dee.HiddenCheckbox).Not.ToBeCheckedAsync();
        await Expect(pinned).ToBeHiddenAsync();

        await keep.CheckAsync();
        await Expect(dee.HiddenCheckbox).ToBeCheckedAsync();
        await Expect(pinned).ToBeVisibleAsync();
        await Expect(pinned).ToContainTextAsync("Pinned");
        Assert.Equal("1d6 hidden", await dee.DieLabelAsync(6));
        var first = await dee.RollDieAsync(6);
        var second = await dee.RollDieAsync(8);
        await Expect(dee.Row(first)).ToHaveAttributeAsync("data-hidden", "true");
        await Expect(dee.Row(second)).ToHaveAttributeAsync("data-hidden", "true");
        await Expect(dee.HiddenCheckbox).ToBeCheckedAsync();
        await Expect(pinned).ToBeVisibleAsync();

        await keep.UncheckAsync();
        await Expect(pinned).ToBeHiddenAsync();
        await dee.HiddenCheckbox.UncheckAsync();
        Assert.Equal("1d4", await dee.DieLabelAsync(4));
        var open = await dee.RollDieAsync(4);
        await Expect(dee.Row(open)).Not.ToHaveAttributeAsync("data-hidden", "true");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Enter_in_the_formula_field_rolls_the_typed_formula_not_the_first_die(bool javaScript)
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice", javaScript);
        var code = await alice.CreateRoomAsync();

        await alice.Page.Locator("#roll-dice").FillAsync("2d8+1");
        var post = await alice.Page.RunAndWaitForResponseAsync(() => alice.Page.Locator("#roll-dice").PressAsync("Enter"),
            r => r.Request.Method == "POST" && r.Url.EndsWith($"/rooms/{code}/rolls", StringComparison.Ordinal));

        Assert.Equal(javaScript ? 200 : 303, post.Status);
        Assert.DoesNotContain("die=", post.Request.PostData, StringComparison.Ordinal);
        await Expect(alice.Feed).ToHaveCountAsync(1);
        await Expect(alice.Feed.First.Locator("[data-formula]")).ToHaveTextAsync("2d8+1");
    }
}
