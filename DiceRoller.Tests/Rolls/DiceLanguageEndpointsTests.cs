using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using DiceRoller.Dice;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Rolls;

/// <summary>The dice language through the roll form, the feed and the stores: every term shown, labels, crits, DC on d20s only.</summary>
public abstract class DiceLanguageEndpointsTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private static int Int(string? text) => int.Parse(text!, CultureInfo.InvariantCulture);

    private static List<(int Value, string Fate)> Dice(IElement row) =>
        row.QuerySelectorAll("[data-die]").Select(d => (Int(d.GetAttribute("data-die")), d.GetAttribute("data-fate")!)).ToList();

    [Fact]
    public async Task A_multi_term_labelled_roll_shows_every_term_and_the_label_first_live_and_after_a_reload()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var posted = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "2d6+1d4+3 # Longsword damage"), ("modifier", "0"), ("advantage", "none"));
        var page = await alice.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.OK, posted.Status);
        foreach (var row in new[] { posted.Document.QuerySelector("[data-roll-id]")!, Assert.Single(page.FeedRolls) })
        {
            Assert.Equal("Longsword damage", row.QuerySelector("[data-label]")!.TextContent);
            Assert.True(row.QuerySelector("[data-label]")!.CompareDocumentPosition(row.QuerySelector("[data-formula]")!).HasFlag(DocumentPositions.Following));
            Assert.Equal("2d6+1d4+3", row.QuerySelector("[data-formula]")!.TextContent);
            Assert.Equal(["2d6", "1d4", "3"], row.QuerySelectorAll("[data-term]").Select(t => t.GetAttribute("data-term")));
            var dice = Dice(row);
            Assert.Equal(3, dice.Count);
            Assert.All(dice.Take(2), d => Assert.InRange(d.Value, 1, 6));
            Assert.InRange(dice[2].Value, 1, 4);
            Assert.All(dice, d => Assert.Equal("kept", d.Fate));
            var total = dice.Sum(d => d.Value) + 3;
            Assert.Equal(total, Int(row.GetAttribute("data-total")));
            Assert.Equal($"Alice rolled {total} for Longsword damage: 2d6+1d4+3, dice {dice[0].Value}, {dice[1].Value} and {dice[2].Value}", row.GetAttribute("data-announce"));
            Assert.Null(row.GetAttribute("data-crit"));
            Assert.Null(row.GetAttribute("data-dc-passed"));
        }
    }

    [Fact]
    public async Task Damage_types_show_their_subtotals_in_the_feed_the_announcement_and_the_permalink()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var posted = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d6 [fire] + 1d4 [piercing]"), ("modifier", "0"), ("advantage", "none"));
        var row = posted.Document.QuerySelector("[data-roll-id]")!;
        var dice = Dice(row);
        var (fire, piercing) = (dice.Take(3).Sum(d => d.Value), dice[3].Value);

        Assert.Equal(HttpStatusCode.OK, posted.Status);
        Assert.Equal("3d6[fire]+1d4[piercing]", row.QuerySelector("[data-formula]")!.TextContent);
        Assert.Equal(["fire", "piercing"], row.QuerySelectorAll("[data-term]").Select(t => t.GetAttribute("data-annotation")));
        Assert.Equal([("fire", fire), ("piercing", piercing)],
            row.QuerySelectorAll("[data-damage-type]").Select(t => (t.GetAttribute("data-damage-type")!, Int(t.GetAttribute("data-subtotal")))));
        Assert.StartsWith($"Alice rolled {fire} fire, {piercing} piercing, {fire + piercing} total: 3d6[fire]+1d4[piercing]", row.GetAttribute("data-announce"), StringComparison.Ordinal);

        var id = row.GetAttribute("data-roll-id");
        var permalinkPage = await alice.GetAsync($"/roll/{id}");
        Assert.Equal(["fire", "piercing"], permalinkPage.Document.QuerySelectorAll("[data-damage-type]").Select(t => t.GetAttribute("data-damage-type")));
        using var response = await alice.Client.GetAsync(new Uri($"/api/permalink/{id}", UriKind.Relative));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var terms = json.RootElement.GetProperty("terms").EnumerateArray().ToList();
        Assert.Equal(["fire", "piercing"], terms.Select(t => t.GetProperty("annotation").GetString()));
        Assert.Equal([fire, piercing], terms.Select(t => t.GetProperty("subtotal").GetInt32()));
    }

    [Theory]
    [InlineData("4*(3d8kh2+9[fire]+(9d2e2+3[cold])/2)", "4*(3d8kh2+9[fire]+(9d2!+3[cold])/2)")]
    [InlineData("(1d8 + 3) * 2 longsword", "(1d8+3)*2")]
    [InlineData("1 + 2 + 3", "1+2+3")]
    [InlineData("1d20mi10 stealth", "1d20mi10")]
    public async Task Arithmetic_constants_and_d20_operators_roll_and_record_their_formula(string typed, string formula)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var posted = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", typed), ("modifier", "0"), ("advantage", "none"));

        Assert.Equal(HttpStatusCode.OK, posted.Status);
        var row = posted.Document.QuerySelector("[data-roll-id]")!;
        Assert.Equal(formula, row.QuerySelector("[data-formula]")!.TextContent);
        var spec = DiceNotation.ParseStored(formula, "none").Spec!;
        var (min, max) = spec.Range();
        Assert.InRange(Int(row.GetAttribute("data-total")), min, max);
        Assert.Null(row.GetAttribute("data-crit"));
        Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task A_typed_crit_doubles_the_dice_of_a_damage_formula_and_says_so()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var posted = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "2d6+3 crit"), ("modifier", "0"), ("advantage", "none"));

        var row = posted.Document.QuerySelector("[data-roll-id]")!;
        Assert.Equal("4d6+3 crit", row.QuerySelector("[data-formula]")!.TextContent);
        Assert.Equal(4, Dice(row).Count);
        Assert.Equal(Dice(row).Sum(d => d.Value) + 3, Int(row.GetAttribute("data-total")));
        Assert.NotNull(row.QuerySelector("[data-critical-hit]"));
    }

    [Fact]
    public async Task The_pads_critical_hit_box_doubles_the_dice_once_and_a_crit_too_big_is_refused()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var row = (await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "2d6+3"), ("advantage", "none"), ("crit", "true"))).Document.QuerySelector("[data-roll-id]")!;
        var typed = (await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d8 crit"), ("advantage", "none"), ("crit", "true"))).Document.QuerySelector("[data-roll-id]")!;
        var tooMany = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "60d6"), ("advantage", "none"), ("crit", "true"));

        Assert.Equal("4d6+3 crit", row.QuerySelector("[data-formula]")!.TextContent);
        Assert.Equal(4, Dice(row).Count);
        Assert.Equal("2d8 crit", typed.QuerySelector("[data-formula]")!.TextContent);
        Assert.Equal((HttpStatusCode)422, tooMany.Status);
        Assert.Equal("INVALID_DICE_FORMAT", tooMany.ErrorCode);
        Assert.Contains("120 would pass the 100-dice limit", tooMany.ErrorText, StringComparison.Ordinal);
        Assert.Equal(2, (await alice.GetAsync($"/rooms/{code}")).FeedRolls.Count);
    }

    [Fact]
    public async Task Keep_highest_strikes_the_dropped_die_with_words_and_adds_only_the_kept_ones()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var row = (await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "4d6kh3"), ("advantage", "none"))).Document.QuerySelector("[data-roll-id]")!;

        var dice = Dice(row);
        Assert.Equal(4, dice.Count);
        var dropped = Assert.Single(row.QuerySelectorAll(".die-dropped"));
        Assert.Equal(dropped.GetAttribute("data-die"), dropped.QuerySelector("s")!.TextContent);
        Assert.Equal(" dropped", dropped.QuerySelector(".sr-only")!.TextContent);
        Assert.True(Int(dropped.GetAttribute("data-die")) <= dice.Where(d => d.Fate == "kept").Min(d => d.Value));
        Assert.Equal(dice.Where(d => d.Fate == "kept").Sum(d => d.Value), Int(row.GetAttribute("data-total")));
    }

    [Fact]
    public async Task A_dice_pool_counts_its_successes()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var row = (await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "8d6>=5 # Pool"), ("advantage", "none"))).Document.QuerySelector("[data-roll-id]")!;

        var successes = Dice(row).Count(d => d.Value >= 5);
        Assert.Equal(8, Dice(row).Count);
        Assert.Equal(successes, Int(row.GetAttribute("data-successes")));
        Assert.Equal(successes, Int(row.GetAttribute("data-total")));
        Assert.Contains(row.QuerySelectorAll(".badge"), b => b.TextContent == (successes == 1 ? "1 success" : $"{successes} successes"));
    }

    [Fact]
    public async Task Exploding_dice_mark_every_die_that_exploded()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        for (var i = 0; i < 5; i++)
        {
            var row = (await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "3d4!"), ("advantage", "none"))).Document.QuerySelector("[data-roll-id]")!;
            var dice = Dice(row);
            Assert.All(row.QuerySelectorAll(".die-exploded"), d => Assert.Equal("4", d.GetAttribute("data-die")));
            Assert.All(row.QuerySelectorAll(".die-exploded"), d => Assert.Equal(" exploded", d.QuerySelector(".sr-only")!.TextContent));
            Assert.Equal(dice.Count(d => d.Value == 4), dice.Count(d => d.Fate == "exploded"));
            Assert.Equal(dice.Sum(d => d.Value), Int(row.GetAttribute("data-total")));
        }
    }

    [Theory]
    [InlineData("4d6kh", "a number must follow \"kh\" (at character 6)")]
    [InlineData("\u0661d20", "write numbers with the digits 0-9")]
    [InlineData("1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1", "at most 100 terms")]
    [InlineData("1d20+1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111", "at most 500 characters")]
    [InlineData("8d6fire", "put a space before the label: 8d6 fire")]
    [InlineData("10 / (1d6 - 1)", "a divisor could be 0")]
    [InlineData("60d6+50d6", "at most 100 dice")]
    [InlineData("1d1001", "1 to 1000 faces")]
    public async Task A_formula_that_does_not_parse_says_where_and_what_was_expected_and_rolls_nothing(string dice, string says)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var htmx = await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", dice), ("modifier", "0"), ("advantage", "none"));

        Assert.Equal((HttpStatusCode)422, htmx.Status);
        Assert.Equal("INVALID_DICE_FORMAT", htmx.ErrorCode);
        Assert.Contains(says, htmx.ErrorText, StringComparison.Ordinal);
        Assert.Contains(DiceParser.Examples, htmx.ErrorText, StringComparison.Ordinal);
        Assert.Empty((await alice.GetAsync($"/rooms/{code}")).FeedRolls);
    }

    [Fact]
    public async Task A_roll_whose_explosions_reach_the_100_dice_cap_stops_there_and_says_so()
    {
        await using var app = new AppFactory(ValkeyConnection, Settings) { Random = new AlwaysHighest() };
        using var alice = app.NewBrowser();
        var code = await alice.CreateRoomAsync();

        var row = (await alice.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d6!+1d4"), ("advantage", "none"))).Document.QuerySelector("[data-roll-id]")!;

        var dice = Dice(row);
        Assert.Equal(DiceSpec.MaxDice, dice.Count);
        Assert.Equal(98, dice.Count(d => d.Fate == "exploded"));
        Assert.Equal((99 * 6) + 4, Int(row.GetAttribute("data-total")));
        Assert.Contains(row.QuerySelectorAll(".badge"), b => b.TextContent == "Stopped at 100 dice");
        Assert.EndsWith("stopped at the 100-dice limit", row.GetAttribute("data-announce")!, StringComparison.Ordinal);
    }

    /// <summary>Every die shows its highest face: an exploding die never stops on its own.</summary>
    private sealed class AlwaysHighest : IRandomSource
    {
        public int NextInt(int minInclusive, int maxExclusive) => maxExclusive - 1;
    }

    [Fact]
    public async Task A_dc_grades_d20_checks_only_and_never_damage()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dm, bob) = table;
        await dm.HtmxPostAsync($"/rooms/{code}/dc", ("dc", "12"));

        var check = await bob.RollAsync(code, "1d20+3");
        var advantage = await bob.RollAsync(code, "1d20", "2", "advantage");
        var typed = await bob.RollAsync(code, "2d20kl1+1");
        var damage = await bob.RollAsync(code, "2d6+3");
        var twoD20 = await bob.RollAsync(code, "1d20+1d4");

        foreach (var graded in new[] { check, advantage, typed })
        {
            Assert.Equal("12", graded.GetAttribute("data-dc"));
            Assert.Equal(Int(graded.GetAttribute("data-total")) >= 12 ? "true" : "false", graded.GetAttribute("data-dc-passed"));
        }

        foreach (var other in new[] { damage, twoD20 })
        {
            Assert.Null(other.GetAttribute("data-dc"));
            Assert.Null(other.GetAttribute("data-dc-passed"));
            Assert.DoesNotContain("DC", other.GetAttribute("data-announce"), StringComparison.Ordinal);
            Assert.DoesNotContain(other.QuerySelectorAll(".badge"), b => b.TextContent.Contains("DC", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(new[] { 20 }, null, Advantage.None, "success", "Natural 20!")]
    [InlineData(new[] { 1 }, null, Advantage.None, "failure", "Natural 1!")]
    [InlineData(new[] { 20, 1 }, 1, Advantage.Disadvantage, "failure", "Natural 1!")]
    [InlineData(new[] { 1, 20 }, 1, Advantage.Advantage, "success", "Natural 20!")]
    [InlineData(new[] { 20, 7 }, 1, Advantage.Disadvantage, null, null)]
    public async Task A_natural_20_or_1_on_the_kept_d20_is_marked_in_words_and_on_the_row(int[] dice, int? kept, Advantage advantage, string? crit, string? words)
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var store = App.Services.GetRequiredService<IRoomStore>();
        var me = (await store.GetAsync(code))!.Players[0];
        var total = dice[kept ?? 0] + 4;
        await store.AppendAsync(new Roll(Guid.NewGuid().ToString(), code, 0, me.PlayerId, me.Name, 0, "1d20+4", 20, 1, 4, advantage, dice, kept, total, false, false, null), 0);

        var row = Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);

        Assert.Equal(crit, row.GetAttribute("data-crit"));
        Assert.Equal(words, row.QuerySelector("[data-crit-mark]")?.TextContent[2..]);
        if (words is not null)
        {
            Assert.EndsWith(words, row.GetAttribute("data-announce")!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_roll_stored_before_the_dice_language_still_renders_its_dice_and_modifier()
    {
        using var alice = App.NewBrowser();
        var code = await alice.CreateRoomAsync();
        var store = App.Services.GetRequiredService<IRoomStore>();
        var me = (await store.GetAsync(code))!.Players[0];
        // The JSON a roll had before terms, label and successes existed.
        var old = RoomJson.Deserialize<Roll>($$"""
            {"roll_id":"{{Guid.NewGuid()}}","room_code":"{{code}}","sequence":0,"player_id":"{{me.PlayerId}}","player_name":"{{me.Name}}",
             "timestamp":0,"dice_formula":"1d20+5","dice_type":20,"dice_count":1,"modifier":5,"advantage":"advantage",
             "individual_results":[3,18],"kept_index":1,"total":23,"hidden":false,"revealed":false,"dc_check":null}
            """)!;
        Assert.Null(old.Terms);
        await store.AppendAsync(old, 0);

        var row = Assert.Single((await alice.GetAsync($"/rooms/{code}")).FeedRolls);

        Assert.Equal([(3, "dropped"), (18, "kept")], Dice(row));
        Assert.Equal(["2d20kh1", "5"], row.QuerySelectorAll("[data-term]").Select(t => t.GetAttribute("data-term")));
        Assert.Equal("+5", row.QuerySelector(".term-constant")!.TextContent);
        Assert.Equal("23", row.GetAttribute("data-total"));
        Assert.Equal("Alice rolled 23: 1d20+5 with advantage, dice 3 dropped and 18", row.GetAttribute("data-announce"));
    }

    [Fact]
    public async Task A_hidden_labelled_roll_shows_players_no_label_dice_terms_or_crit_anywhere()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(App);
        var (code, dm, bob) = table;
        await using var stream = await SseReader.OpenAsync(bob.Client, $"/rooms/{code}/events?after=0");

        var posted = await dm.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "4d6kh3+1d20 # Ambush"), ("advantage", "none"), ("hidden", "true"));
        var live = new HtmlParser().ParseDocument((await stream.NextOfTypeAsync("roll", 1))[0].Data).QuerySelector("[data-roll-id]")!;
        var page = Assert.Single((await bob.GetAsync($"/rooms/{code}")).FeedRolls);

        Assert.Equal(HttpStatusCode.OK, posted.Status);
        Assert.Equal("Ambush", posted.Document.QuerySelector("[data-label]")!.TextContent);
        foreach (var row in new[] { live, page })
        {
            Assert.Empty(row.QuerySelectorAll("[data-label], [data-die], [data-term], [data-total-value], [data-crit-mark], details"));
            Assert.Null(row.GetAttribute("data-total"));
            Assert.Null(row.GetAttribute("data-crit"));
            Assert.Null(row.GetAttribute("data-successes"));
            Assert.DoesNotContain("Ambush", row.OuterHtml, StringComparison.Ordinal);
            Assert.Equal("Dee rolled in secret", row.GetAttribute("data-announce"));
            Assert.Null(row.QuerySelector("[data-formula]"));
            // Ids and hashes set aside first: "4d6" is also three hex digits, and a random hash holds it now and then.
            Assert.DoesNotContain("4d6", HexText.SetAside(row.OuterHtml), StringComparison.Ordinal);
        }
    }
}

public sealed class DiceLanguageEndpointsEmbeddedTests(SharedApp shared) : DiceLanguageEndpointsTests(shared);

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeySecondCollection.Name)]
public sealed class DiceLanguageEndpointsValkeyTests(ValkeyServer valkey, SharedApp shared) : DiceLanguageEndpointsTests(shared)
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
