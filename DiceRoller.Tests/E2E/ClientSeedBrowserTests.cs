using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// Rules 2 in real Chromium (docs/fairness.md): the room page sets its member's client seed by itself once it shows the
/// commitment, and again when a rotation swaps in a new one, so every roll's client seed was chosen after its commitment.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class ClientSeedBrowserTests(ChromiumFixture chromium, AppServers servers)
{
    private static async Task<JsonElement> FairnessOfAsync(Person who, AppServer server, string rollId)
    {
        var response = await who.Context.APIRequest.GetAsync(server.Url($"/api/permalink/{rollId}"));
        Assert.Equal(200, response.Status);
        return (await response.JsonAsync())!.Value.GetProperty("fairness").Clone();
    }

    /// <summary>Waits until the page has set the seed now in its input (the status names it) and returns it.</summary>
    private static async Task<string> SeedSetByPageAsync(Person who, string? notThis = null)
    {
        var input = who.Page.Locator("#client-seed-input");
        if (notThis is not null)
        {
            await Expect(input).Not.ToHaveValueAsync(notThis);
        }

        var seed = await input.InputValueAsync();
        await Expect(who.Page.Locator("#client-seed-status")).ToContainTextAsync($"Your client seed is now {seed}.");
        return seed;
    }

    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task The_page_sets_the_client_seed_after_the_commitment_and_renews_it_after_a_rotation(string store)
    {
        var server = await servers.GetAsync(store);
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(chromium, server);
        var (_, dee, bob) = table;
        dee.AcceptConfirmations();
        await table.EveryoneLiveAsync();
        var first = await bob.Page.Locator("#room-commitment").GetAttributeAsync("data-commitment");
        var deeSeed = await SeedSetByPageAsync(dee);
        var bobSeed = await SeedSetByPageAsync(bob);

        var before = await FairnessOfAsync(bob, server, await bob.RollAsync("1d20"));
        var deeBefore = await FairnessOfAsync(dee, server, await dee.RollAsync("1d20"));
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Reveal and rotate the seed" }).ClickAsync();
        await Expect(bob.Page.Locator("#room-commitment")).Not.ToHaveAttributeAsync("data-commitment", first!);
        var second = await bob.Page.Locator("#room-commitment").GetAttributeAsync("data-commitment");
        var renewed = await SeedSetByPageAsync(bob, notThis: bobSeed);
        var after = await FairnessOfAsync(bob, server, await bob.RollAsync("1d20"));

        Assert.Equal(bobSeed, before.GetProperty("client_seed").GetString());
        Assert.Equal(first, before.GetProperty("client_seed_commitment").GetString());
        Assert.False(before.GetProperty("client_seed_by_server").GetBoolean());
        Assert.Equal(deeSeed, deeBefore.GetProperty("client_seed").GetString()); // the creator's seed too: set after the room committed
        Assert.False(deeBefore.GetProperty("client_seed_by_server").GetBoolean());
        Assert.NotEqual(first, second);
        Assert.Equal(renewed, after.GetProperty("client_seed").GetString());
        Assert.Equal(second, after.GetProperty("client_seed_commitment").GetString());
        Assert.False(after.GetProperty("client_seed_by_server").GetBoolean());
    }
}
