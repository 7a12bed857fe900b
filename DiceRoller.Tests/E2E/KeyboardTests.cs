using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>The whole game with the keyboard alone: no clicks, no pointer.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class KeyboardTests(ChromiumFixture chromium, AppServers servers)
{
    /// <summary>Presses Tab until <paramref name="selector"/> has focus (at most 60 presses) and says how many it took.</summary>
    private static async Task<int> TabToAsync(IPage page, string selector)
    {
        for (var presses = 1; presses <= 60; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector))
            {
                return presses;
            }
        }

        throw new Xunit.Sdk.XunitException($"Tab never reached {selector}");
    }

    [Fact]
    public async Task Create_join_and_roll_with_the_keyboard_alone_and_hear_the_roll()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");

        await alice.Page.GotoAsync(server.Url("/"));
        await TabToAsync(alice.Page, "#create-name");
        await alice.Page.Keyboard.TypeAsync("Alice");
        await alice.Page.Keyboard.PressAsync("Enter");
        // Wait for the room page's own element, not for its load event (under load a slow subresource held that past 30 s).
        // Polls the URL (Person.ArriveAsync), as the other browser steps do: WaitForURLAsync's navigation wait has timed out
        // under a loaded suite with the page already there.
        await Person.ArriveAsync(alice.Page, new System.Text.RegularExpressions.Regex("/rooms/[A-Z]+-[0-9]{4}$"));
        await Expect(alice.Page.Locator("[data-room-code]")).ToBeVisibleAsync();
        var code = await alice.Page.Locator("[data-room-code]").GetAttributeAsync("data-room-code");
        await alice.WaitUntilLiveAsync();

        await bob.Page.GotoAsync(server.Url("/"));
        await TabToAsync(bob.Page, "#join-code");
        await bob.Page.Keyboard.TypeAsync(code!);
        await TabToAsync(bob.Page, "#join-name");
        await bob.Page.Keyboard.TypeAsync("Bob");
        await bob.Page.Keyboard.PressAsync("Enter");
        await Person.ArriveAsync(bob.Page, server.Url($"/rooms/{code}"));
        await Expect(bob.Page.Locator("[data-room-code]")).ToBeVisibleAsync();
        await bob.WaitUntilLiveAsync();

        var presses = await TabToAsync(bob.Page, "#roll-form button[name=die][value='20']");
        await bob.Page.Keyboard.PressAsync("Enter");

        await Expect(alice.Feed).ToHaveCountAsync(1, new() { Timeout = Person.StepTimeoutMs });
        await Expect(alice.Feed.First.Locator("[data-formula]")).ToHaveTextAsync("1d20");
        var total = await alice.Feed.First.GetAttributeAsync("data-total");
        await Expect(alice.Page.Locator("#announcer > p[data-kind=roll]")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex($"^Bob rolled {total}: 1d20, die {total}(, Natural (20|1)!)?$")]);
        Assert.InRange(presses, 1, 20);
    }
}
