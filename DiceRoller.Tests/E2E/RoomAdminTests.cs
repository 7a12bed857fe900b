using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>What an open room's creator can do to everyone's pages: hand the room to a DM, or close it.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class RoomAdminTests(ChromiumFixture chromium, AppServers servers)
{
    [Fact]
    public async Task Open_room_promotion_shows_a_marker_between_earlier_and_later_rolls()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.Open("Alice").Players("Bob", "Cleo").BuildAsync(chromium, server);
        var (_, alice, bob, cleo) = table;
        Person[] everyone = [alice, bob, cleo];
        await table.EveryoneLiveAsync();
        await Expect(alice.Roster).ToHaveCountAsync(3);
        await Expect(alice.RosterEntry("Bob").GetByRole(AriaRole.Button, new() { Name = "Make DM" })).ToBeVisibleAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Make DM" })).ToHaveCountAsync(0);

        string[] before = [await alice.RollAsync("1d20"), await bob.RollAsync("2d6"), await cleo.RollAsync("1d8")];
        foreach (var person in everyone)
        {
            await Expect(person.Feed).ToHaveCountAsync(before.Length);
        }

        var pages = await Task.WhenAll(everyone.Select(p => p.MarkPageAsync()));
        await alice.RosterEntry("Bob").GetByRole(AriaRole.Button, new() { Name = "Make DM" }).ClickAsync();

        // Every page reloads into the DM-led room, so each control matches the viewer's new role.
        for (var i = 0; i < everyone.Length; i++)
        {
            await Expect(everyone[i].Page.Locator("[data-room-mode]")).ToHaveAttributeAsync("data-room-mode", "dm-led");
            Assert.NotEqual(pages[i], await everyone[i].PageMarkerAsync());
            await everyone[i].WaitUntilLiveAsync();
        }

        await Expect(bob.HiddenCheckbox).ToBeVisibleAsync();
        await Expect(bob.DcInput).ToBeVisibleAsync();
        await Expect(bob.RosterEntry("Cleo").GetByRole(AriaRole.Button, new() { Name = "Remove" })).ToBeVisibleAsync();
        await Expect(alice.HiddenCheckbox).ToHaveCountAsync(0);
        await Expect(alice.DcInput).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Make DM" })).ToHaveCountAsync(0);
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Remove" })).ToHaveCountAsync(0);
        await Expect(cleo.RosterEntry("Bob")).ToContainTextAsync("DM");

        string[] after = [await cleo.RollAsync("1d20"), await alice.RollAsync("1d20")];
        foreach (var person in everyone)
        {
            await Expect(person.Feed).ToHaveCountAsync(before.Length + after.Length);
            await ExpectMarkerBetweenAsync(person, before, after);
        }

        await cleo.Page.ReloadAsync(); // the server places the marker too, not just the live feed
        await ExpectMarkerBetweenAsync(cleo, before, after);
    }

    [Fact]
    public async Task Creator_closes_the_room_and_every_page_says_so()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.Open("Alice").Players("Bob", "Cleo").BuildAsync(chromium, server);
        var (_, alice, bob, cleo) = table;
        Person[] everyone = [alice, bob, cleo];
        await table.EveryoneLiveAsync();
        await bob.RollAsync();
        await Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Close the room" })).ToHaveCountAsync(0);

        var confirmations = new List<string>();
        alice.Page.Dialog += (_, dialog) => confirmations.Add(dialog.Message);
        alice.AcceptConfirmations();
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Close the room" }).ClickAsync();

        foreach (var person in everyone)
        {
            await Expect(person.Notice).ToHaveAttributeAsync("data-notice", "room-closed");
            await Expect(person.Notice).ToContainTextAsync("closed this room");
            await Expect(person.Notice.GetByRole(AriaRole.Link, new() { Name = "Start or join another room" })).ToHaveAttributeAsync("href", "/");
            await Expect(person.ConnectionStatus).ToHaveAttributeAsync("data-state", "closed");
            await Expect(person.Live).ToHaveAttributeAsync("data-ended", "room-closed");
            await Expect(person.RollButton).ToBeDisabledAsync();
        }

        Assert.Single(confirmations);
        await Expect(alice.Page.Locator("#action-result")).ToContainTextAsync("The room is closed.");
        var reload = await bob.Page.ReloadAsync();
        Assert.Equal(404, reload?.Status);
        await Expect(bob.Page.Locator("[data-error-code]")).ToHaveAttributeAsync("data-error-code", "ROOM_NOT_FOUND");
    }

    /// <summary>
    /// Exactly one mode-change marker, with the rolls made after the promotion above it (newer, higher sequence)
    /// and the earlier ones below it.
    /// </summary>
    private static async Task ExpectMarkerBetweenAsync(Person person, string[] before, string[] after)
    {
        var marker = person.Page.Locator("ol#feed > li[data-mode-change]");
        await Expect(marker).ToHaveCountAsync(1);
        await Expect(marker).ToContainTextAsync("with Bob as DM");
        var items = await person.Page.Locator("ol#feed > li").EvaluateAllAsync<string[]>(
            "items => items.map(li => li.hasAttribute('data-mode-change') ? 'marker' : li.dataset.rollId)");
        var at = Array.IndexOf(items, "marker");
        var afterSequence = long.Parse(await marker.GetAttributeAsync("data-after-sequence") ?? "", CultureInfo.InvariantCulture);
        var rows = await person.FeedRowsAsync();
        var above = rows.Take(at).ToList();
        var below = rows.Skip(at).ToList();

        Assert.Equal(after.Order(StringComparer.Ordinal), above.Select(r => r.RollId).Order(StringComparer.Ordinal));
        Assert.Equal(before.Order(StringComparer.Ordinal), below.Select(r => r.RollId).Order(StringComparer.Ordinal));
        Assert.All(above, r => Assert.True(r.Sequence > afterSequence, $"Roll #{r.Sequence} is above the marker (after #{afterSequence})."));
        Assert.All(below, r => Assert.True(r.Sequence <= afterSequence, $"Roll #{r.Sequence} is below the marker (after #{afterSequence})."));
        Assert.True(above.Min(r => r.Sequence) > below.Max(r => r.Sequence), $"{person.Name}'s feed: {string.Join(", ", items)}");
        FeedAssert.NewestFirstWithoutGaps(rows);
    }
}
