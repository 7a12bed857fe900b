using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>
/// A fight in real Chromium: the DM on a laptop runs the initiative tracker, Bob on a phone follows it live, Ann on a 320 px
/// phone with JavaScript off sees it after each post or refresh. Everyone ends up with the same order and the same turn.
/// </summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(BrowserCollection.Name)]
public sealed class InitiativeBrowserTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    private static ILocator Tracker(Person person) => person.Page.Locator("section[data-initiative]");

    private static ILocator Entry(Person person, string name) => Tracker(person).Locator($"[data-initiative-entry][data-name='{name}']");

    private static ILocator Current(Person person) => Tracker(person).Locator("[data-initiative-entry][aria-current='true']");

    [Theory]
    [InlineData(Stores.Embedded)]
    [InlineData(Stores.Valkey)]
    public async Task A_dm_and_two_phones_one_without_javascript_run_an_encounter_into_round_two(string store)
    {
        var server = await servers.GetAsync(store);
        await using var dee = await Person.OpenAsync(chromium, server.BaseAddress, "Dee");
        await using var bob = await Person.OpenAsync(chromium, server.BaseAddress, "Bob");
        await using var ann = await Person.OpenAsync(chromium, server.BaseAddress, "Ann", javaScript: false);
        await dee.Page.SetViewportSizeAsync(1280, 800);
        await bob.Page.SetViewportSizeAsync(390, 844);
        await ann.Page.SetViewportSizeAsync(320, 640);
        var code = await dee.CreateRoomAsync("dm-led");
        await bob.JoinAsync(code);
        await ann.JoinAsync(code);
        await Task.WhenAll(dee.WaitUntilLiveAsync(), bob.WaitUntilLiveAsync());
        await Expect(Tracker(bob)).ToBeHiddenAsync();

        // The DM starts the encounter: Bob's phone shows the tracker live, with his Roll initiative button.
        await dee.Page.GetByRole(AriaRole.Button, new() { Name = "Start encounter" }).ClickAsync();
        await Expect(Tracker(dee)).ToHaveAttributeAsync("data-round", "1");
        var bobRoll = bob.Page.Locator("[data-roll-initiative]");
        await Expect(bobRoll).ToBeVisibleAsync();

        // Bob rolls from the pad with his +2: an ordinary roll in the feed, and his place in the order on every live page.
        await bob.Page.Locator("#roll-modifier").FillAsync("2");
        await bobRoll.ClickAsync();
        await Expect(Entry(dee, "Bob")).ToHaveCountAsync(1);
        await Expect(Entry(bob, "Bob")).ToHaveCountAsync(1);
        await Expect(bob.Feed.First.Locator("[data-label]")).ToHaveTextAsync("initiative");
        var bobTotal = await bob.Feed.First.GetAttributeAsync("data-total");
        await Expect(Entry(dee, "Bob")).ToHaveAttributeAsync("data-total", bobTotal!);

        // Ann has no script: she refreshes, rolls with a plain post (303) and lands on the page with her place.
        await ann.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh" }).ClickAsync();
        await ann.Page.Locator("[data-roll-initiative]").ClickAsync();
        await Expect(Entry(ann, "Ann")).ToHaveCountAsync(1);
        await Expect(Entry(dee, "Ann")).ToHaveCountAsync(1);

        // A hidden monster and a visible one.
        await AddMonsterAsync(dee, "Goblin", bonus: 1, hidden: true);
        await AddMonsterAsync(dee, "Ogre", bonus: 0, hidden: false);
        await Expect(Tracker(dee).Locator("[data-initiative-entry]")).ToHaveCountAsync(4);
        await Expect(Entry(bob, "Goblin")).ToHaveAttributeAsync("data-total", "?");
        await Expect(Entry(bob, "Ogre")).Not.ToHaveAttributeAsync("data-total", "?");
        // A tie is rolled off after the add: the live page may show the order before the roll-off for a moment. The order is the
        // one the server serves once settled, and the DM's live page comes to show it.
        var order = await SettledOrderAsync(dee, server.Url($"/rooms/{code}"));
        output.WriteLine($"{store}: order {string.Join(", ", order)}");
        await dee.Page.WaitForFunctionAsync(
            "want => [...document.querySelectorAll('section[data-initiative] [data-initiative-entry]')].map(e => e.dataset.name).join(',') === want",
            string.Join(",", order), new() { Timeout = Person.StepTimeoutMs });

        // Next until round 2: each press moves the turn on every live page.
        for (var turn = 0; turn <= order.Count; turn++)
        {
            await dee.Page.Locator("[data-initiative-next]").ClickAsync();
            var expected = order[turn % order.Count];
            await Expect(Current(dee)).ToHaveAttributeAsync("data-name", expected);
            await Expect(Current(bob)).ToHaveAttributeAsync("data-name", expected);
        }

        var first = order[0];
        var visible = order.Where(n => n != "Goblin").ToArray();
        await ann.Page.GetByRole(AriaRole.Link, new() { Name = "Refresh" }).ClickAsync();
        foreach (var person in new[] { dee, bob, ann })
        {
            await Expect(Tracker(person)).ToHaveAttributeAsync("data-round", "2");
            await Expect(Current(person)).ToHaveAttributeAsync("data-name", first);
            var shown = await Tracker(person).Locator("ol [data-initiative-entry]").EvaluateAllAsync<string[]>("es => es.map(e => e.dataset.name)");
            Assert.Equal(person == dee ? [.. order] : visible, shown);
        }

        await Expect(Entry(ann, "Goblin")).ToHaveAttributeAsync("data-total", "?");
        // Bob's screen reader heard the new round once.
        await Expect(bob.Page.Locator("#announcer > p[data-kind=turn]").Last).ToHaveTextAsync($"Round 2: {first}'s turn");
        Assert.Single(await bob.Page.Locator("#announcer > p[data-kind=turn]").AllTextContentsAsync(), t => t == $"Round 2: {first}'s turn");
        // Nothing scrolls sideways on the 320 px phone.
        Assert.True(await ann.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 320);
    }

    /// <summary>The order in the tracker of the page the server serves the DM now (the same cookies as the DM's browser).</summary>
    private static async Task<List<string>> SettledOrderAsync(Person dm, string roomUrl)
    {
        var response = await dm.Context.APIRequest.GetAsync(roomUrl);
        Assert.Equal(200, response.Status);
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.TextAsync());
        return page.QuerySelectorAll("section[data-initiative] [data-initiative-entry]").Select(e => e.GetAttribute("data-name")!).ToList();
    }

    private static async Task AddMonsterAsync(Person dm, string name, int bonus, bool hidden)
    {
        var form = dm.Page.Locator("form[data-add-monsters]");
        await form.Locator("input[name=name]").FillAsync(name);
        await form.Locator("input[name=bonus]").FillAsync(bonus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await form.Locator("input[name=count]").FillAsync("1");
        await form.Locator("input[name=hidden]").SetCheckedAsync(hidden);
        // The add's answer comes once its roll-offs are rolled (a live event may show the entry before that).
        var answer = await dm.Page.RunAndWaitForResponseAsync(
            () => form.GetByRole(AriaRole.Button, new() { Name = "Add and roll" }).ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/monsters", StringComparison.Ordinal));
        Assert.Equal(200, answer.Status);
        await Expect(Entry(dm, name)).ToHaveCountAsync(1);
    }
}
