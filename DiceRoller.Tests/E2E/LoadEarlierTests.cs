using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>A long room opens with its newest 50 rolls; earlier ones load on demand, in place, in order.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class LoadEarlierTests(ChromiumFixture chromium, AppServers servers)
{
    [Fact]
    public async Task Earlier_rolls_load_below_the_newest_fifty_without_reload_and_in_sequence_order()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        var code = await alice.CreateRoomAsync();
        var token = await alice.Page.Locator("#roll-form input[name=__RequestVerificationToken]").InputValueAsync();

        // 60 rolls through the HTTP contract with this browser's own cookies (the room page's form token).
        for (var i = 0; i < 60; i++)
        {
            var form = alice.Context.APIRequest.CreateFormData();
            form.Set("__RequestVerificationToken", token);
            form.Set("dice", "1d6");
            var response = await alice.Context.APIRequest.PostAsync(server.Url($"/rooms/{code}/rolls"), new() { Form = form, MaxRedirects = 0 });
            Assert.Equal(303, response.Status);
        }

        await alice.Page.ReloadAsync();
        await alice.WaitUntilLiveAsync();
        await Expect(alice.Feed).ToHaveCountAsync(50);
        var marker = await alice.MarkPageAsync();

        await alice.Page.GetByRole(AriaRole.Link, new() { Name = "Load earlier rolls" }).ClickAsync();

        await Expect(alice.Feed).ToHaveCountAsync(60, new() { Timeout = Person.StepTimeoutMs });
        var rows = await alice.FeedRowsAsync();
        Assert.Equal(Enumerable.Range(1, 60).Reverse().Select(i => (long)i), rows.Select(r => r.Sequence));
        Assert.Equal(marker, await alice.PageMarkerAsync());
        await Expect(alice.Page.Locator("#earlier")).ToContainTextAsync("start of this room's history");
    }
}
