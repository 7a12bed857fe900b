using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>The DM's htmx actions one after another: each says what it did in #action-result and the next still works.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class DmActionsTests(ChromiumFixture chromium, AppServers servers)
{
    [Fact]
    public async Task After_setting_the_dc_the_dm_can_still_reveal_and_remove_and_each_action_is_reported()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (code, dee, bob) = table;
        await dee.WaitUntilLiveAsync();
        await Expect(dee.Roster).ToHaveCountAsync(2);
        var status = dee.Page.Locator("#action-result");

        await dee.SetDcAsync(12);
        await Expect(status).ToHaveTextAsync("DC set to 12.");

        var secret = await dee.RollDieAsync(20, hidden: true);
        await dee.RevealAsync(secret);
        await Expect(status).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Revealed Dee's 1d20: \\d+\\.\\s*$"));

        dee.Page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Remove Bob" }).ClickAsync();
        await Expect(status).ToHaveTextAsync("Bob was removed from the room.");
        await Expect(dee.Roster).ToHaveCountAsync(1);
        await Expect(status).ToHaveAttributeAsync("aria-live", "polite");
    }
}
