using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DiceRoller.Tests.E2E;

/// <summary>The feed a table can read: the dice language rendered live, compact rows, crit marks, local times.</summary>
[Trait(Tiers.Trait, Tiers.Browser)]
[Collection(SecondBrowserCollection.Name)]
public sealed class FeedTests(ChromiumFixture chromium, AppServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task A_multi_term_labelled_formula_typed_by_one_player_shows_live_on_another_players_page()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.Open().Players("Bob").BuildAsync(chromium, server);
        var (code, alice, bob) = table;
        await bob.WaitUntilLiveAsync();

        var rollId = await alice.RollAsync("2d6 + 1d4 + 3 # Longsword damage");

        var row = bob.Row(rollId);
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("[data-label]")).ToHaveTextAsync("Longsword damage");
        await Expect(row.Locator("[data-formula]")).ToHaveTextAsync("2d6+1d4+3");
        await Expect(row.Locator("[data-term]")).ToHaveCountAsync(3);
        var dice = await row.Locator("[data-die]").EvaluateAllAsync<int[]>("dice => dice.map(d => Number(d.dataset.die))");
        Assert.Equal(3, dice.Length);
        var total = dice.Sum() + 3;
        await Expect(row).ToHaveAttributeAsync("data-total", total.ToString(CultureInfo.InvariantCulture));
        await Expect(row.Locator(".term-constant")).ToHaveTextAsync("+3");
        var sentence = $"Alice rolled {total} for Longsword damage: 2d6+1d4+3, dice {dice[0]}, {dice[1]} and {dice[2]}";
        await Expect(bob.Page.Locator("#announcer > p[data-kind=roll]").Last).ToHaveTextAsync(sentence);
        await Expect(alice.Page.Locator("#roll-result [data-label]")).ToHaveTextAsync("Longsword damage");
    }

    [Fact]
    public async Task Rows_are_compact_at_1280x800_with_at_least_8_rolls_in_view_and_one_tab_stop_each()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var alice = await Person.OpenAsync(chromium, server.BaseAddress, "Alice");
        await alice.Page.SetViewportSizeAsync(1280, 800);
        var code = await alice.CreateRoomAsync();
        var token = await alice.Page.Locator("#roll-form input[name=__RequestVerificationToken]").InputValueAsync();
        for (var i = 0; i < 12; i++)
        {
            var form = alice.Context.APIRequest.CreateFormData();
            form.Set("__RequestVerificationToken", token);
            form.Set("die", "20");
            form.Set("count", "1");
            var response = await alice.Context.APIRequest.PostAsync(server.Url($"/rooms/{code}/rolls"), new() { Form = form, MaxRedirects = 0 });
            Assert.Equal(303, response.Status);
        }

        await alice.Page.ReloadAsync();
        await Expect(alice.Feed).ToHaveCountAsync(12);
        var boxes = await alice.Feed.EvaluateAllAsync<double[][]>(
            "rows => rows.map(r => { const b = r.getBoundingClientRect(); return [b.top, b.bottom, b.height]; })");
        var visible = boxes.Count(b => b[0] >= 0 && b[1] <= 800);
        output.WriteLine($"row heights: {string.Join(", ", boxes.Select(b => b[2].ToString("F0", CultureInfo.InvariantCulture)))} px; rows fully in the 1280x800 view: {visible}");
        Assert.All(boxes, b => Assert.True(b[2] <= 64, $"a one-die row is {b[2]:F0} px high"));
        Assert.True(visible >= 8, $"only {visible} rolls are in view");

        // Each row adds one tab stop (its menu): Tab goes from one row's menu straight to the next row's.
        var first = alice.Feed.Nth(0).Locator("details.row-menu > summary");
        await first.FocusAsync();
        await alice.Page.Keyboard.PressAsync("Tab");
        await Expect(alice.Feed.Nth(1).Locator("details.row-menu > summary")).ToBeFocusedAsync();

        // Opened, the menu's Permalink is the next stop.
        await first.FocusAsync();
        await alice.Page.Keyboard.PressAsync("Enter");
        await Expect(alice.Feed.First.Locator("a[data-permalink]")).ToBeVisibleAsync();
        await alice.Page.Keyboard.PressAsync("Tab");
        await Expect(alice.Feed.First.Locator("a[data-permalink]")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Roll_times_show_in_the_viewers_time_zone_with_javascript()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { TimezoneId = "Asia/Kolkata" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Person.StepTimeoutMs);
        await page.GotoAsync(server.Url("/"));
        await page.Locator("#create-name").FillAsync("Kiran");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();
        await Person.ArriveAsync(page, new Regex("/rooms/[A-Z]+-[0-9]{4}$"));
        await page.Locator("#roll-form button[name=die][value='6']").ClickAsync();

        var time = page.Locator("ol#feed > li[data-roll-id] time[data-local-time]").First;
        await Expect(time).ToHaveTextAsync(new Regex(@"^\d\d:\d\d:\d\d$"));
        var utc = DateTimeOffset.Parse(await time.GetAttributeAsync("datetime") ?? "", CultureInfo.InvariantCulture);
        var kolkata = utc.ToOffset(TimeSpan.FromHours(5.5));
        await Expect(time).ToHaveTextAsync(kolkata.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        Assert.NotEqual(utc.ToString("HH:mm:ss", CultureInfo.InvariantCulture), await time.TextContentAsync());
    }

    [Fact]
    public async Task A_natural_20_or_1_is_marked_in_words_in_the_feed_the_own_result_and_the_announcement()
    {
        var server = await servers.GetAsync(Stores.Embedded);
        await using var table = await Table.Open().Players("Bob").BuildAsync(chromium, server);
        var (code, alice, bob) = table;
        await bob.WaitUntilLiveAsync();

        // Roll a d20 check until one lands on a natural 20 or 1 (each roll has a 1 in 10 chance; 200 tries leave ~1e-9).
        string? rollId = null;
        string? crit = null;
        for (var i = 0; i < 200 && crit is null; i++)
        {
            rollId = await alice.RollAsync("1d20+2");
            crit = await alice.Page.Locator("#roll-result > li[data-roll-id]").GetAttributeAsync("data-crit");
        }

        Assert.NotNull(crit);
        var words = crit == "success" ? "Natural 20!" : "Natural 1!";
        output.WriteLine($"{words} after some rolls; roll {rollId}");
        await Expect(alice.Page.Locator("#roll-result [data-crit-mark]")).ToContainTextAsync(words);
        var row = bob.Row(rollId!);
        await Expect(row).ToHaveAttributeAsync("data-crit", crit);
        await Expect(row.Locator("[data-crit-mark]")).ToContainTextAsync(words);
        await Expect(row.Locator("[data-crit-mark]")).ToBeVisibleAsync();
        await Expect(bob.Page.Locator("#announcer > p[data-kind=roll]").Last).ToHaveTextAsync(new Regex(Regex.Escape(words) + "$"));
    }
}
