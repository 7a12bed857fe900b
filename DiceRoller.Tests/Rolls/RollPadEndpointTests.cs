using System.Net;
using AngleSharp.Dom;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rolls;

/// <summary>
/// The dice pad without JavaScript: every die button says what it rolls from the form's values, a roll lands with
/// the pad reset and the roller's own result in view next to it, and only a DM's deliberate pin keeps rolls hidden.
/// </summary>
public abstract class RollPadEndpointTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private static Dictionary<string, string> Labels(IDocument page) =>
        page.QuerySelectorAll("#roll-form button[name=die]").ToDictionary(
            b => b.GetAttribute("value")!,
            b => (b.QuerySelector("[data-die-formula]")!.TextContent + " " + b.QuerySelector("[data-die-note]")!.TextContent).Trim());

    [Fact]
    public async Task A_fresh_pad_rolls_one_plain_die_and_each_button_says_so()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var page = (await alice.GetAsync($"/rooms/{code}")).Document;

        Assert.Equal(new Dictionary<string, string>
        {
            ["4"] = "1d4", ["6"] = "1d6", ["8"] = "1d8", ["10"] = "1d10", ["12"] = "1d12", ["20"] = "1d20", ["100"] = "1d100",
        }, Labels(page));
        Assert.All(page.QuerySelectorAll("#roll-form button[name=die]"), b => Assert.StartsWith("Roll ", b.TextContent.Trim(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_die_button_shows_the_formula_the_forms_values_roll_and_that_advantage_is_for_the_d20_only()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        // A refused plain post renders the form with what was sent: the labels follow those values.
        var refused = await alice.PostAsync($"/rooms/{code}/rolls", ("die", "20"), ("count", "4"), ("modifier", "3"), ("advantage", "advantage"), ("dice", "1d20"));
        var minus = await alice.PostAsync($"/rooms/{code}/rolls", ("die", "7"), ("count", "2"), ("modifier", "-2"), ("advantage", "disadvantage"), ("dice", "1d20"));

        Assert.Equal((HttpStatusCode)422, refused.Status);
        var labels = Labels(refused.Document);
        Assert.Equal("4d6+3 no adv", labels["6"]);
        Assert.Equal("4d20+3 adv", labels["20"]);
        Assert.Equal("2d8-2 no dis", Labels(minus.Document)["8"]);
        Assert.Equal("2d20-2 dis", Labels(minus.Document)["20"]);
    }

    [Fact]
    public async Task After_a_plain_roll_the_page_lands_on_the_own_result_with_the_pad_reset()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var posted = await alice.PostAsync($"/rooms/{code}/rolls", ("die", "6"), ("count", "4"), ("modifier", "3"), ("advantage", "advantage"), ("dice", "1d20"));
        var page = await alice.GetAsync(posted.Location!.Split('#')[0]);

        Assert.Equal($"/rooms/{code}#your-roll", posted.Location);
        var panel = page.Document.GetElementById("your-roll")!;
        var own = Assert.Single(panel.QuerySelectorAll("#roll-result > li[data-roll-id]"));
        Assert.Equal(page.FeedRolls[0].GetAttribute("data-roll-id"), own.GetAttribute("data-roll-id"));
        Assert.Equal("4d6+3", own.QuerySelector("[data-formula]")!.TextContent);
        Assert.NotNull(own.QuerySelector("[data-total-value]"));
        var form = page.Document.GetElementById("roll-form")!;
        Assert.Equal("1", form.QuerySelector("#roll-count")!.GetAttribute("value"));
        Assert.Equal("0", form.QuerySelector("#roll-modifier")!.GetAttribute("value"));
        Assert.Equal("none", form.QuerySelector("input[name=advantage][checked]")!.GetAttribute("value"));
        Assert.Equal("1d6", Labels(page.Document)["6"]);
    }

    [Fact]
    public async Task The_own_result_panel_shows_the_viewers_own_latest_roll_not_someone_elses()
    {
        await using var table = await Table.Open().Players("Bob").BuildAsync(App);
        var (code, alice, bob) = table;

        var before = (await alice.GetAsync($"/rooms/{code}")).Document;
        var mine = await alice.RollAsync(code);
        await bob.RollAsync(code);
        var page = (await alice.GetAsync($"/rooms/{code}")).Document;

        Assert.Empty(before.QuerySelectorAll("#roll-result > li"));
        Assert.NotNull(before.QuerySelector("#your-roll [data-result-empty]"));
        Assert.Equal(mine.GetAttribute("data-roll-id"), page.QuerySelector("#roll-result > li[data-roll-id]")!.GetAttribute("data-roll-id"));
    }

    [Fact]
    public async Task Hidden_resets_after_a_roll_unless_the_dm_pinned_keep_hidden_on()
    {
        using var dee = App.NewBrowser();
        var code = await dee.CreateRoomAsync("Dee", mode: "dm-led");

        var once = await dee.PostAsync($"/rooms/{code}/rolls", ("die", "20"), ("hidden", "true"));
        var onceForm = (await dee.GetAsync(once.Location!.Split('#')[0])).Document;
        var pinned = await dee.PostAsync($"/rooms/{code}/rolls", ("die", "20"), ("hidden", "true"), ("keep_hidden", "true"));
        var pinnedForm = (await dee.GetAsync(pinned.Location!.Split('#')[0])).Document;

        Assert.Equal($"/rooms/{code}#your-roll", once.Location);
        Assert.Null(onceForm.QuerySelector("#roll-form input[name=hidden]")!.GetAttribute("checked"));
        Assert.True(onceForm.QuerySelector("[data-hidden-pinned]")!.HasAttribute("hidden"));
        Assert.Equal($"/rooms/{code}?keep_hidden=true#your-roll", pinned.Location);
        Assert.NotNull(pinnedForm.QuerySelector("#roll-form input[name=hidden]")!.GetAttribute("checked"));
        Assert.NotNull(pinnedForm.QuerySelector("#roll-form input[name=keep_hidden]")!.GetAttribute("checked"));
        Assert.False(pinnedForm.QuerySelector("[data-hidden-pinned]")!.HasAttribute("hidden"));
        Assert.Equal("1d20 hidden", Labels(pinnedForm)["20"]);
        Assert.All((await dee.GetAsync($"/rooms/{code}")).FeedRolls, r => Assert.Equal("true", r.GetAttribute("data-hidden")));
    }

    [Fact]
    public async Task Keep_hidden_on_rolls_hidden_and_is_the_dms_alone()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dee, bob) = table;

        var dm = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("keep_hidden", "true"));
        var player = await bob.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("keep_hidden", "true"));
        var bobsPage = (await bob.GetAsync($"/rooms/{code}?keep_hidden=true")).Document;

        Assert.Equal("true", dm.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-hidden"));
        Assert.Equal(HttpStatusCode.Forbidden, player.Status);
        Assert.Equal("HIDDEN_NOT_ALLOWED", player.ErrorCode);
        Assert.Null(bobsPage.QuerySelector("#roll-form input[name=keep_hidden]"));
        Assert.Single((await dee.GetAsync($"/rooms/{code}")).FeedRolls);
    }
}

public sealed class RollPadEndpointEmbeddedTests(SharedApp shared) : RollPadEndpointTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class RollPadEndpointValkeyTests(ValkeyServer valkey, SharedApp shared) : RollPadEndpointTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
