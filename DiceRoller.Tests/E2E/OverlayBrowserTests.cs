using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// The stream overlay in Chromium, as OBS's browser source would show it: the DM's panel gives its URL; a stranger's browser
/// (no cookie) opens it and sees each public roll arrive live, a hidden roll only once revealed, and a renewed link goes
/// blank at once.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class OverlayBrowserTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task The_overlay_follows_the_room_live_shows_a_hidden_roll_only_once_revealed_and_ends_on_renewal(string store)
    {
        var server = await servers.GetAsync(store);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (_, dee, bob) = table;
        await dee.WaitUntilLiveAsync();
        await bob.WaitUntilLiveAsync();
        var first = await bob.RollDieAsync(20);
        var url = await dee.Page.Locator("[data-overlay-url]").GetAttributeAsync("data-overlay-url");
        await using var obs = await Person.OpenAsync(chromium, server.BaseAddress, "OBS");
        await obs.Page.GotoAsync(server.Url(new Uri(url!).AbsolutePath + "?theme=dark&size=l"));
        var list = obs.Page.Locator("ol[data-overlay]");
        var rows = list.Locator("> li[data-roll-id]");
        await Expect(list).ToHaveAttributeAsync("data-live", "true");
        await Expect(rows).ToHaveCountAsync(1);

        var second = await bob.RollDieAsync(6);
        await Expect(rows.First).ToHaveAttributeAsync("data-roll-id", second);
        var secret = await dee.RollDieAsync(20, hidden: true);
        var third = await bob.RollDieAsync(8);
        await Expect(rows.First).ToHaveAttributeAsync("data-roll-id", third);
        await Expect(list.Locator($"[data-roll-id='{secret}']")).ToHaveCountAsync(0);
        await Expect(rows).ToHaveCountAsync(3);

        await dee.RevealAsync(secret);
        await Expect(rows.First).ToHaveAttributeAsync("data-roll-id", secret);
        await Expect(rows).ToHaveCountAsync(4);
        var total = await dee.Row(secret).GetAttributeAsync("data-total");
        await Expect(rows.First).ToHaveAttributeAsync("data-total", total!);
        Assert.Equal(0, await obs.Page.Locator("button, input, form, a[href]").CountAsync());
        output.WriteLine($"{store}: overlay rows {string.Join(", ", await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.player + ' ' + r.dataset.total)"))}; first roll {first}");

        dee.AcceptConfirmations();
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "New overlay link" }).ClickAsync();
        await Expect(list).ToHaveAttributeAsync("data-live", "ended");
        await Expect(rows).ToHaveCountAsync(0);
        await Expect(dee.Page.Locator("[data-overlay-url]")).Not.ToHaveAttributeAsync("data-overlay-url", url!);
        var old = await obs.Page.GotoAsync(url!.Replace(new Uri(url).GetLeftPart(UriPartial.Authority), server.BaseAddress.ToString().TrimEnd('/'), StringComparison.Ordinal));
        Assert.Equal(404, old!.Status);
    }
}
