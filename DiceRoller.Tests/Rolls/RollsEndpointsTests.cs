using System.Net;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rolls;

/// <summary>The roll route through the HTTP contract, on both stores.</summary>
public abstract class RollsEndpointsTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    [Fact]
    public async Task An_htmx_roll_answers_200_with_the_rolls_fragment()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var page = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d6"), ("modifier", "2"), ("advantage", "none"));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        var row = Assert.Single(page.Document.QuerySelectorAll("[data-roll-id]"));
        Assert.Equal("1", row.GetAttribute("data-sequence"));
        var dice = row.QuerySelectorAll(".die").Select(d => int.Parse(d.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, dice.Count);
        Assert.All(dice, d => Assert.InRange(d, 1, 6));
        Assert.Equal((dice.Sum() + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), row.GetAttribute("data-total"));
        Assert.Equal(row.GetAttribute("data-total"), row.QuerySelector("[data-total-value]")!.TextContent);
        Assert.Equal("3d6+2", row.QuerySelector("[data-formula]")!.TextContent);
        var me = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roster [data-player-id]")!.GetAttribute("data-player-id");
        Assert.Equal(me, row.GetAttribute("data-player-id"));
        Assert.Null(row.GetAttribute("data-hidden"));
    }

    [Fact]
    public async Task A_plain_form_roll_redirects_back_and_the_page_shows_it()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var posted = await alice.PostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("modifier", "5"), ("advantage", "advantage"));

        Assert.Equal(HttpStatusCode.SeeOther, posted.Status);
        Assert.Equal($"/rooms/{code}#your-roll", posted.Location);
        var row = Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
        Assert.Equal(2, row.QuerySelectorAll(".die").Length);
        Assert.Single(row.QuerySelectorAll(".die-dropped"));
        var kept = int.Parse(row.QuerySelector(".die:not(.die-dropped)")!.GetAttribute("data-die")!, System.Globalization.CultureInfo.InvariantCulture);
        var dropped = int.Parse(row.QuerySelector(".die-dropped")!.GetAttribute("data-die")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(kept >= dropped);
        Assert.Equal(kept + 5, int.Parse(row.GetAttribute("data-total")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("7d1001", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("4d6kh", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("\u0661d20", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("\uff11d20", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("60d6+60d6", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("1d20 # a label that is far longer than forty characters", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("1d20+3", "2", "none", "INVALID_MODIFIER")]
    [InlineData("", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("1d20", "99", "none", "INVALID_MODIFIER")]
    [InlineData("1d20", "x", "none", "INVALID_MODIFIER")]
    [InlineData("3d6", "0", "advantage", "INVALID_ADVANTAGE")]
    [InlineData("1d20", "0", "lucky", "INVALID_ADVANTAGE")]
    public async Task Bad_roll_input_gets_422_with_its_code_and_rolls_nothing(string dice, string modifier, string advantage, string code)
    {
        using var alice = App.NewBrowser();
        var room = await alice.CreateRoomAsync();

        var htmx = await alice.HtmxPostAsync($"/rooms/{room}/rolls", ("dice", dice), ("modifier", modifier), ("advantage", advantage));
        var plain = await alice.PostAsync($"/rooms/{room}/rolls", ("dice", dice), ("modifier", modifier), ("advantage", advantage));

        Assert.Equal((HttpStatusCode)422, htmx.Status);
        Assert.Equal(code, htmx.ErrorCode);
        Assert.Null(htmx.Document.QuerySelector("#roll-form"));
        Assert.Equal((HttpStatusCode)422, plain.Status);
        Assert.Equal(code, plain.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(plain.ErrorText));
        Assert.Equal(dice, plain.Document.QuerySelector("#roll-dice")!.GetAttribute("value") ?? "");
        Assert.Empty((await alice.GetAsync($"/rooms/{room}")).FeedRolls);
    }

    [Theory]
    [InlineData("6", "3", "2", "3d6+2", 3)]
    [InlineData("100", "", "0", "1d100", 1)]
    [InlineData("4", "100", "-1", "100d4-1", 100)]
    public async Task A_die_button_rolls_count_dice_of_that_kind_with_the_modifier_and_ignores_the_typed_formula(
        string die, string count, string modifier, string formula, int dice)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var htmx = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("die", die), ("count", count), ("modifier", modifier), ("dice", "2d8"), ("advantage", "none"));

        Assert.Equal(HttpStatusCode.OK, htmx.Status);
        var row = Assert.Single(htmx.Document.QuerySelectorAll("[data-roll-id]"));
        Assert.Equal(formula, row.QuerySelector("[data-formula]")!.TextContent);
        Assert.Equal(dice, row.QuerySelectorAll(".die").Length);
    }

    [Fact]
    public async Task A_plain_die_button_post_redirects_back_and_the_page_shows_the_roll()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var posted = await alice.PostAsync($"/rooms/{code}/rolls", ("die", "8"), ("count", "2"), ("modifier", "0"), ("dice", "1d20"), ("advantage", "none"));

        Assert.Equal(HttpStatusCode.SeeOther, posted.Status);
        Assert.Equal($"/rooms/{code}#your-roll", posted.Location);
        var row = Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
        Assert.Equal("2d8", row.QuerySelector("[data-formula]")!.TextContent);
    }

    [Fact]
    public async Task Advantage_is_a_d20_toggle_so_other_die_buttons_roll_plain_dice()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var d20 = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "20"), ("count", "1"), ("advantage", "advantage"));
        var d8 = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "8"), ("count", "1"), ("advantage", "advantage"));

        Assert.Equal(HttpStatusCode.OK, d20.Status);
        Assert.Equal(2, d20.Document.QuerySelectorAll(".die").Length);
        Assert.Single(d20.Document.QuerySelectorAll(".die-dropped"));
        Assert.Equal(HttpStatusCode.OK, d8.Status);
        Assert.Single(d8.Document.QuerySelectorAll(".die"));
        Assert.Empty(d8.Document.QuerySelectorAll(".die-dropped"));
        Assert.DoesNotContain("advantage", d8.Document.QuerySelector("[data-roll-id]")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7", "1", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("abc", "1", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("20", "0", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("20", "101", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("20", "-1", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("20", "two", "0", "none", "INVALID_DICE_FORMAT")]
    [InlineData("6", "1", "99", "none", "INVALID_MODIFIER")]
    [InlineData("20", "2", "0", "advantage", "INVALID_ADVANTAGE")]
    [InlineData("6", "1", "0", "lucky", "INVALID_ADVANTAGE")]
    public async Task A_bad_die_button_post_gets_422_with_its_code_and_the_form_keeps_the_count(
        string die, string count, string modifier, string advantage, string code)
    {
        using var alice = App.NewBrowser();
        var room = await alice.CreateRoomAsync();
        (string, string)[] fields = [("die", die), ("count", count), ("modifier", modifier), ("advantage", advantage), ("dice", "1d20")];

        var htmx = await alice.HtmxPostAsync($"/rooms/{room}/rolls", fields);
        var plain = await alice.PostAsync($"/rooms/{room}/rolls", fields);

        Assert.Equal((HttpStatusCode)422, htmx.Status);
        Assert.Equal(code, htmx.ErrorCode);
        Assert.Equal((HttpStatusCode)422, plain.Status);
        Assert.Equal(code, plain.ErrorCode);
        Assert.Equal(count, plain.Document.QuerySelector("#roll-count")!.GetAttribute("value"));
        Assert.Empty((await alice.GetAsync($"/rooms/{room}")).FeedRolls);
    }

    [Fact]
    public async Task The_roll_form_has_one_button_per_die_and_the_default_button_rolls_the_typed_formula()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var form = (await alice.GetAsync($"/rooms/{code}")).Document.QuerySelector("#roll-form")!;

        Assert.Equal(["4", "6", "8", "10", "12", "20", "100"],
            form.QuerySelectorAll("button[type=submit][name=die]").Select(b => b.GetAttribute("value")));
        var first = form.QuerySelector("button[type=submit], input[type=submit]")!;
        Assert.Null(first.GetAttribute("name"));
        Assert.Equal("1", form.QuerySelector("input[name=count]")!.GetAttribute("value"));
        Assert.NotNull(form.QuerySelector("#roll-dice[name=dice]"));
        Assert.All(form.QuerySelectorAll("input:not([type=hidden]):not([type=radio]):not([type=checkbox])"),
            input => Assert.NotNull(form.QuerySelector($"label[for='{input.Id}']")));
    }

    [Fact]
    public async Task Only_the_dm_may_roll_hidden()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync(mode: "open");

        var page = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));

        Assert.Equal(HttpStatusCode.Forbidden, page.Status);
        Assert.Equal("HIDDEN_NOT_ALLOWED", page.ErrorCode);
        Assert.Empty((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task A_non_member_cannot_roll_NOT_IN_ROOM_403()
    {
        using var alice = App.NewBrowser();
        using var stranger = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var htmx = await stranger.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));
        var plain = await stranger.PostAsync($"/rooms/{code}/rolls", ("dice", "1d20"));

        Assert.Equal(HttpStatusCode.Forbidden, htmx.Status);
        Assert.Equal("NOT_IN_ROOM", htmx.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, plain.Status);
        Assert.Equal("NOT_IN_ROOM", plain.ErrorCode);
        Assert.Empty((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task Rolling_in_an_unknown_room_is_ROOM_NOT_FOUND_404()
    {
        using var alice = App.NewBrowser();
        var page = await alice.HtmxPostAsync("/rooms/NOPE-0000/rolls", ("dice", "1d20"));

        Assert.Equal(HttpStatusCode.NotFound, page.Status);
        Assert.Equal("ROOM_NOT_FOUND", page.ErrorCode);
    }

    [Fact]
    public async Task A_roll_without_a_valid_antiforgery_token_is_400_and_rolls_nothing()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var missing = await alice.PostAsync($"/rooms/{code}/rolls", [new("dice", "1d20")], htmx: true, withToken: false);
        var forged = await alice.PostAsync($"/rooms/{code}/rolls", [new("dice", "1d20"), new("__RequestVerificationToken", "forged")], htmx: true, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("BAD_REQUEST", missing.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Empty((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task Malformed_requests_never_cause_a_5xx_or_a_roll()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        string[] bodies =
        [
            "", "dice", "dice=&modifier=&advantage=", "dice=1d20&dice=2d6", "dice=%FF%FE", "dice=1d20&modifier=2147483648",
            "dice=1d20&hidden=maybe", "dice=" + new string('9', 5000) + "d6", "dice=1d20&advantage=%00", "%%%%", "dice=1d20&modifier=--1",
        ];
        var statuses = new List<HttpStatusCode>();
        foreach (var body in bodies)
        {
            using var content = new StringContent(body + $"&__RequestVerificationToken={Uri.EscapeDataString(alice.Token!)}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
            using var response = await alice.Client.PostAsync($"/rooms/{code}/rolls", content);
            statuses.Add(response.StatusCode);
        }

        using var json = await alice.Client.PostAsync($"/rooms/{code}/rolls", new StringContent("{\"dice\":\"1d20\"}", System.Text.Encoding.UTF8, "application/json"));
        statuses.Add(json.StatusCode);
        using var noRoom = await alice.Client.GetAsync("/rooms/%2e%2e%2f/events");
        statuses.Add(noRoom.StatusCode);

        Assert.All(statuses, s => Assert.InRange((int)s, 400, 499));
        Assert.Empty((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task A_reload_shows_the_newest_rolls_first_and_earlier_ones_load_on_demand()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        for (var i = 0; i < 55; i++)
        {
            await alice.RollAsync(code);
        }

        var page = await alice.GetAsync($"/rooms/{code}");

        Assert.Equal(Enumerable.Range(6, 50).Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            page.FeedRolls.Select(r => r.GetAttribute("data-sequence")));
        Assert.Equal("55", page.Document.QuerySelector("#live")!.GetAttribute("data-last-sequence"));
        Assert.EndsWith("?after=55", page.Document.QuerySelector("#live")!.GetAttribute("sse-connect"), StringComparison.Ordinal);
        var more = page.Document.QuerySelector("#earlier a")!;
        Assert.Equal($"/rooms/{code}/rolls?before=6", more.GetAttribute("hx-get"));

        var earlier = await alice.GetAsync(more.GetAttribute("hx-get")!, htmx: true);
        Assert.Equal(["5", "4", "3", "2", "1"], earlier.Document.QuerySelectorAll("[hx-swap-oob] [data-roll-id]").Select(r => r.GetAttribute("data-sequence")));
        Assert.Null(earlier.Document.QuerySelector("#earlier a"));

        var noJs = await alice.GetAsync(more.GetAttribute("href")!);
        Assert.Equal(["5", "4", "3", "2", "1"], noJs.FeedRolls.Select(r => r.GetAttribute("data-sequence")));
    }
}

public sealed class RollsEndpointsEmbeddedTests(SharedApp shared) : RollsEndpointsTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class RollsEndpointsValkeyTests(ValkeyServer valkey, SharedApp shared) : RollsEndpointsTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
