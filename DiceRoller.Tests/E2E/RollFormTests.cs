using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The roll form with JavaScript off (plain post, 303 back to the room, errors in the re-rendered page)
/// and on (htmx swaps the error fragment of a 422 in place, which htmx does not do by default).
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class RollFormTests(ChromiumFixture chromium, AppServers servers)
{
    [Fact]
    public async Task Roll_without_javascript_posts_the_form_and_shows_in_the_feed_after_the_redirect()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice", javaScript: false);
        var code = await alice.CreateRoomAsync();
        await Expect(alice.Feed).ToHaveCountAsync(0);

        await alice.Page.Locator("#roll-dice").FillAsync("2d6");
        var post = await alice.Page.RunAndWaitForResponseAsync(() => alice.RollButton.ClickAsync(), IsRollPost);
        await Person.ArriveAsync(alice.Page, server.Url($"/rooms/{code}#your-roll"));

        Assert.Equal(303, post.Status);
        Assert.Equal($"/rooms/{code}#your-roll", await post.HeaderValueAsync("location"));
        await Expect(alice.Feed).ToHaveCountAsync(1);
        var row = alice.Feed.First;
        await Expect(row.Locator("[data-formula]")).ToHaveTextAsync("2d6");
        var dice = await row.Locator("[data-die]").AllAsync();
        Assert.Equal(2, dice.Count);
        var total = int.Parse(await row.GetAttributeAsync("data-total") ?? "", CultureInfo.InvariantCulture);
        Assert.InRange(total, 2, 12);
    }

    [Fact]
    public async Task Bad_dice_formula_without_javascript_shows_the_error_in_the_re_rendered_room()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice", javaScript: false);
        var code = await alice.CreateRoomAsync();

        await alice.Page.Locator("#roll-dice").FillAsync("4d6kh");
        var post = await alice.Page.RunAndWaitForResponseAsync(() => alice.RollButton.ClickAsync(), IsRollPost);
        await Person.ArriveAsync(alice.Page, server.Url($"/rooms/{code}/rolls")); // the room, re-rendered as the post's answer

        Assert.Equal(422, post.Status);
        await Expect(alice.Page.Locator("#roll-result [data-error-code]")).ToHaveAttributeAsync("data-error-code", "INVALID_DICE_FORMAT");
        await Expect(alice.Page.Locator("[data-room-code]")).ToHaveAttributeAsync("data-room-code", code);
        await Expect(alice.Page.Locator("#roll-dice")).ToHaveValueAsync("4d6kh");
        await Expect(alice.Feed).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Bad_dice_formula_with_javascript_shows_the_error_in_place_without_reload()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        var marker = await alice.MarkPageAsync();

        await alice.Page.Locator("#roll-dice").FillAsync("4d6kh");
        var post = await alice.Page.RunAndWaitForResponseAsync(() => alice.RollButton.ClickAsync(), IsRollPost);

        Assert.Equal(422, post.Status);
        await Expect(alice.Page.Locator("#roll-result [data-error-code]")).ToHaveAttributeAsync("data-error-code", "INVALID_DICE_FORMAT");
        await Expect(alice.Page.Locator("#roll-result [data-error-code]")).ToContainTextAsync("a number must follow \"kh\" (at character 6)");
        Assert.Equal(marker, await alice.PageMarkerAsync());
        await Expect(alice.Feed).ToHaveCountAsync(0);
    }

    private static bool IsRollPost(IResponse response) =>
        response.Request.Method == "POST" && response.Url.EndsWith("/rolls", StringComparison.Ordinal);
}
