using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>A roll's permalink, followed from the room into a browser that has never seen the room.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class RollPermalinkTests(ChromiumFixture chromium, AppServers servers)
{
    [Fact]
    public async Task Roll_permalink_opens_from_the_room_in_a_new_context_without_a_cookie()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = server.BaseAddress.GetLeftPart(UriPartial.Authority) });
        await alice.CreateRoomAsync();
        await alice.WaitUntilLiveAsync();
        var rollId = await alice.RollAsync("3d6+2");
        var row = alice.Row(rollId);
        await Expect(row).ToHaveCountAsync(1);
        var total = await row.GetAttributeAsync("data-total") ?? "";
        var formula = await row.Locator("[data-formula]").TextContentAsync() ?? "";
        var dice = await row.Locator("[data-die]").EvaluateAllAsync<string[]>("dice => dice.map(d => d.dataset.die)");
        await row.Locator("details.row-menu > summary").ClickAsync();
        var link = row.Locator("a[data-permalink]");
        var href = await link.GetAttributeAsync("href") ?? "";
        Assert.Equal($"/roll/{rollId}", href);
        Assert.Equal(3, dice.Length);

        // With JavaScript the row offers a copy button that puts the absolute link on the clipboard.
        var copy = row.Locator("button.copy-link[data-copy]");
        await Expect(copy).ToBeVisibleAsync();
        await Expect(copy).ToHaveAttributeAsync("data-copy", href);
        await copy.ClickAsync();
        await Expect(copy).ToContainTextAsync("Copied!");
        Assert.Equal(server.Url(href), await alice.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // A stranger's browser: no cookie, no room membership.
        await using var stranger = await chromium.Browser.NewContextAsync();
        var page = await stranger.NewPageAsync();
        page.SetDefaultTimeout(Person.StepTimeoutMs);
        var response = await page.GotoAsync(new Uri(new Uri(alice.Page.Url), href).ToString());
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.False((await response.Request.AllHeadersAsync()).ContainsKey("cookie"));

        var headline = $"Alice rolled {total} ({formula})";
        await Expect(page.Locator("h1")).ToHaveTextAsync(headline);
        var article = page.Locator($"article[data-roll-id='{rollId}']");
        await Expect(article).ToHaveAttributeAsync("data-total", total);
        Assert.Equal(dice, await article.Locator("ul.dice > li").AllTextContentsAsync());
        await Expect(article.Locator("strong")).ToHaveTextAsync(total);
        await Expect(page.Locator("script")).ToHaveCountAsync(0);
        await ExpectMetaAsync(page, "meta[property='og:title']", headline);
        await ExpectMetaAsync(page, "meta[property='og:url']", server.Url(href));
        await ExpectMetaAsync(page, "meta[property='og:description']", $"{formula}: dice {string.Join(", ", dice)}, total {total}.");
        await ExpectMetaAsync(page, "meta[name='twitter:card']", "summary");
        await ExpectMetaAsync(page, "meta[name='twitter:title']", headline);
        await ExpectMetaAsync(page, "meta[name='twitter:description']", $"{formula}: total {total}.");

        // The page links to the same roll as JSON.
        var json = await stranger.APIRequest.GetAsync(server.Url($"/api/permalink/{rollId}"));
        Assert.Equal(200, json.Status);
        using var document = JsonDocument.Parse(await json.TextAsync());
        var root = document.RootElement;
        Assert.Equal(rollId, root.GetProperty("roll_id").GetString());
        Assert.Equal("Alice", root.GetProperty("player_name").GetString());
        Assert.Equal(formula, root.GetProperty("dice_formula").GetString());
        Assert.Equal(int.Parse(total, CultureInfo.InvariantCulture), root.GetProperty("total").GetInt32());
        Assert.Equal(dice, root.GetProperty("individual_results").EnumerateArray().Select(d => d.GetInt32().ToString(CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Copy_link_button_shows_only_with_javascript_and_the_permalink_always()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob", javaScript: false);
        var code = await alice.CreateRoomAsync();
        var rollId = await alice.RollAsync();
        await bob.JoinAsync(code);

        await alice.Row(rollId).Locator("details.row-menu > summary").ClickAsync();
        await bob.Row(rollId).Locator("details.row-menu > summary").ClickAsync();
        await Expect(alice.Row(rollId).Locator("button.copy-link")).ToBeVisibleAsync();
        await Expect(bob.Row(rollId).Locator("button.copy-link")).ToBeHiddenAsync();
        await Expect(bob.Row(rollId).Locator("a[data-permalink]")).ToBeVisibleAsync();
    }

    private static Task ExpectMetaAsync(IPage page, string selector, string content) =>
        Expect(page.Locator(selector)).ToHaveAttributeAsync("content", content);
}
