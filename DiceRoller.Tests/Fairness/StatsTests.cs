using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Fairness;

public class ChiSquareTests
{
    [Theory]
    [InlineData(3.841459, 1, 0.05)]
    [InlineData(6.634897, 1, 0.01)]
    [InlineData(11.070498, 5, 0.05)]
    [InlineData(30.143527, 19, 0.05)]
    [InlineData(36.190869, 19, 0.01)]
    [InlineData(123.225221, 99, 0.05)]
    [InlineData(19, 19, 0.456836)]
    [InlineData(0.1, 5, 0.999843)]
    public void P_values_match_the_chi_square_tables(double statistic, int df, double p)
    {
        Assert.Equal(p, ChiSquare.PValue(statistic, df), 5);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2)]
    [InlineData(10)]
    public void The_upper_gamma_of_1_is_the_exponential_and_of_one_half_the_complementary_error_function(double x)
    {
        Assert.Equal(Math.Exp(-x), ChiSquare.RegularizedUpperGamma(1, x), 12);
        var erfc = new Dictionary<double, double> { [0.5] = 0.31731050786291410, [2] = 0.045500263896358417, [10] = 7.7442164310440768e-6 }[x];
        Assert.Equal(erfc, ChiSquare.RegularizedUpperGamma(0.5, x), 10);
    }

    [Fact]
    public void The_statistic_sums_squared_deviations_over_the_expected_count()
    {
        Assert.Equal(0, ChiSquare.Statistic([10, 10, 10]));
        Assert.Equal(6, ChiSquare.Statistic([6, 0]), 12);
        Assert.Equal(15, ChiSquare.Statistic([1, 1, 1, 1, 1, 7]), 12);
        Assert.Equal(1, ChiSquare.PValue(0, 3));
        Assert.Equal(Math.Log(24), ChiSquare.LogGamma(5), 12);
        Assert.Equal(Math.Log(Math.Sqrt(Math.PI)), ChiSquare.LogGamma(0.5), 12);
    }

    [Fact]
    public void Two_hundred_thousand_d20s_through_the_seeded_stream_look_fair()
    {
        var counts = new long[20];
        var seed = RoomSeed.Create();
        for (var nonce = 1; nonce <= 20_000; nonce++)
        {
            var stream = new SeededRandomSource(seed, "stats", nonce);
            for (var i = 0; i < 10; i++)
            {
                counts[stream.NextInt(1, 21) - 1]++;
            }
        }

        var die = new DieStats(20, false, counts);
        // p < 1e-6 would happen once in a million runs for fair dice; a biased stream lands there at once.
        Assert.True(die.PValue > 1e-6, $"chi-square {die.ChiSquareStatistic:0.00}, p {die.PValue}");
        Assert.InRange(die.Average, 10.4, 10.6);
    }
}

public class DiceStatsTests
{
    private static Roll Roll(long sequence, string player, string formula, bool hidden = false, bool revealed = false)
    {
        var (spec, error) = DiceNotation.Parse(formula);
        Assert.Null(error);
        var outcome = DiceEngine.Roll(spec!, new ScriptedRandom([.. Enumerable.Range(0, 100).Select(i => (int)((sequence + i) % spec!.DiceTerms.First().Sides) + 1)]));
        return new Roll($"roll-{sequence}", "ALPHA-1234", sequence, player, player.ToUpperInvariant(), sequence, spec!.Formula, 6, 1, 0, Advantage.None,
            outcome.Results, outcome.KeptIndex, outcome.Total, hidden, revealed, null, outcome.Terms);
    }

    [Fact]
    public void A_known_history_gives_known_counts_chi_square_and_p_value()
    {
        var six = new DiceTerm(false, 6, 6);
        Roll Sixes(long sequence, params int[] dice) => new($"roll-{sequence}", "ALPHA-1234", sequence, "bob", "Bob", sequence, "6d6", 6, 6, 0, Advantage.None,
            dice, null, dice.Sum(), false, false, null, [new TermOutcome(six.Body, dice.Select(d => new RolledDie(d, DieFate.Kept)).ToList(), dice.Sum())]);

        var stats = DiceStats.Compute([Sixes(1, 1, 2, 3, 4, 5, 6), Sixes(2, 6, 6, 6, 6, 6, 6)], "bob");

        var d6 = stats.Groups[0].Dice.Single();
        Assert.Equal([1L, 1, 1, 1, 1, 7], d6.Counts);
        Assert.Equal(2, d6.Expected);
        Assert.Equal(15, d6.ChiSquareStatistic, 12);   // 5 × (1 - 2)² / 2 + (7 - 2)² / 2
        Assert.Equal(0.010362, d6.PValue, 6);          // Q(2.5, 7.5)
        Assert.True(d6.EnoughForTest is false);       // 2 per face expected: the page says "too few rolls to judge"
        Assert.Equal(4.75, d6.Average, 12);         // 57 / 12
    }

    [Fact]
    public void Every_drawn_die_counts_per_size_and_player_and_hidden_rolls_only_for_who_may_see_them()
    {
        Roll[] rolls = [Roll(1, "ann", "2d6"), Roll(2, "bob", "1d20+2"), Roll(3, "dee", "3d6!", hidden: true), Roll(4, "ann", "4dF"), Roll(5, "dee", "1d20", hidden: true, revealed: true)];

        var player = DiceStats.Compute(rolls, "bob");
        var dm = DiceStats.Compute(rolls, "dee");
        var nextDm = DiceStats.Compute(rolls, "ann");

        Assert.Equal((4, 1), (player.RollsCounted, player.HiddenNotCounted));
        Assert.Equal((5, 0), (dm.RollsCounted, dm.HiddenNotCounted));
        Assert.Equal((4, 1), (nextDm.RollsCounted, nextDm.HiddenNotCounted)); // a later DM never counts an earlier DM's hidden roll
        var everyone = player.Groups[0];
        Assert.Equal(["d6", "d20", "dF"], everyone.Dice.Select(d => d.Name));
        Assert.Equal(2, everyone.Dice[0].Total);
        Assert.Equal(rolls[0].IndividualResults.Concat(rolls[2].IndividualResults).Count(), dm.Groups[0].Dice[0].Total);
        Assert.Equal([null, "ann", "bob", "dee"], player.Groups.Select(g => g.PlayerId));
        Assert.Equal(4, player.Groups[1].Dice.Single(d => d.Fudge).Total);
        Assert.Equal(-1, player.Groups[1].Dice.Single(d => d.Fudge).MinFace);
        Assert.Equal(2, everyone.D20!.Total);
    }
}

/// <summary>Scripted dice (draws from 1), the OS generator for anything else (room codes draw from 0).</summary>
public sealed class DiceScript(params int[] dice) : IRandomSource
{
    private readonly ScriptedRandom _dice = new(dice);
    private readonly CryptoRandomSource _other = new();

    public int NextInt(int minInclusive, int maxExclusive) =>
        minInclusive == 1 ? _dice.NextInt(minInclusive, maxExclusive) : _other.NextInt(minInclusive, maxExclusive);
}

public class StatsPageTests
{
    private static IElement Die(IDocument page, string player, string size) =>
        page.QuerySelector($"[data-stats-player='{player}'] [data-die-size='{size}']")!;

    private static double Number(IElement element, string attribute) =>
        double.Parse(element.GetAttribute(attribute)!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Counts_chi_square_and_the_d20_average_follow_from_a_scripted_history_and_hidden_rolls_count_for_the_dm_only()
    {
        // Bob: 6d6 as 1..6, 6d6 all sixes, 1d20 = 5; Dee (DM): a hidden 1d20 = 20, a public 1d20 = 10.
        await using var app = new AppFactory { Random = new DiceScript(1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 5, 20, 10) };
        await using var table = await Table.DmLed("Dee").Players("Bob").BuildAsync(app);
        var (code, dee, bob) = table;
        var rolled = new List<IElement>
        {
            await bob.RollAsync(code, "6d6"),
            await bob.RollAsync(code, "6d6"),
            await bob.RollAsync(code, "1d20"),
        };
        var hidden = await dee.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "1d20"), ("hidden", "true"));
        Assert.Equal(HttpStatusCode.OK, hidden.Status);
        rolled.Add(await dee.RollAsync(code, "1d20"));
        // The dice as the feed shows them (the script, while the roll path draws from AppFactory.Random).
        var d6 = rolled.Take(2).SelectMany(r => r.QuerySelectorAll("[data-term] [data-die]")).Select(d => int.Parse(d.GetAttribute("data-die")!, CultureInfo.InvariantCulture)).ToList();
        var d6Counts = Enumerable.Range(1, 6).Select(f => (long)d6.Count(v => v == f)).ToArray();
        var publicD20 = new[] { rolled[2], rolled[3] }.Select(r => int.Parse(r.QuerySelector("[data-die]")!.GetAttribute("data-die")!, CultureInfo.InvariantCulture)).ToList();
        var hiddenD20 = int.Parse(hidden.Document.QuerySelector("[data-die]")!.GetAttribute("data-die")!, CultureInfo.InvariantCulture);

        var asBob = (await bob.GetAsync($"/rooms/{code}/stats")).Document;
        var asDee = (await dee.GetAsync($"/rooms/{code}/stats")).Document;

        var bobsD6 = Die(asBob, "everyone", "d6");
        Assert.Equal("12", bobsD6.GetAttribute("data-count"));
        Assert.Equal(d6Counts, bobsD6.QuerySelectorAll("tr[data-face]").Select(r => long.Parse(r.GetAttribute("data-count")!, CultureInfo.InvariantCulture)));
        Assert.Equal(ChiSquare.Statistic(d6Counts), Number(bobsD6, "data-chi-square"), 4);
        Assert.Equal(ChiSquare.PValue(ChiSquare.Statistic(d6Counts), 5), Number(bobsD6, "data-p-value"), 4);

        Assert.Equal("2", Die(asBob, "everyone", "d20").GetAttribute("data-count"));
        Assert.Equal(publicD20.Average(), Number(asBob.QuerySelector("[data-stats-player='everyone'] [data-d20-average]")!, "data-d20-average"), 2);
        Assert.Equal("1", asBob.QuerySelector("[data-hidden-not-counted]")!.GetAttribute("data-hidden-not-counted"));
        Assert.Equal("3", Die(asDee, "everyone", "d20").GetAttribute("data-count"));
        Assert.Equal(publicD20.Append(hiddenD20).Average(), Number(asDee.QuerySelector("[data-stats-player='everyone'] [data-d20-average]")!, "data-d20-average"), 2);
        Assert.Null(asDee.QuerySelector("[data-hidden-not-counted]"));
        Assert.Equal(2, asBob.QuerySelectorAll("[data-stats-player]").Count(s => s.GetAttribute("data-stats-player") != "everyone"));
    }

    [Fact]
    public async Task Charts_are_svg_with_a_bar_per_face_a_text_equivalent_and_no_inline_styles()
    {
        await using var app = new AppFactory();
        using var ann = app.NewBrowser();
        var code = await ann.CreateRoomAsync("Ann");
        await ann.RollAsync(code, "4d6");
        await ann.RollAsync(code, "1d100");

        var page = await ann.GetAsync($"/rooms/{code}/stats");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Empty(page.Document.QuerySelectorAll("[style]"));
        Assert.Empty(page.Document.QuerySelectorAll("script"));
        foreach (var (size, faces) in new[] { ("d6", 6), ("d100", 100) })
        {
            var die = Die(page.Document, "everyone", size);
            var svg = die.QuerySelector("svg")!;
            Assert.Equal("img", svg.GetAttribute("role"));
            foreach (var id in svg.GetAttribute("aria-labelledby")!.Split(' '))
            {
                Assert.False(string.IsNullOrWhiteSpace(page.Document.GetElementById(id)?.TextContent), id);
            }

            Assert.Equal(faces, svg.QuerySelectorAll("rect.stats-bar").Length);
            Assert.Equal(faces, die.QuerySelectorAll("table tbody tr").Length);
            Assert.NotNull(die.QuerySelector("table caption"));
            Assert.Equal(4, die.QuerySelectorAll("table thead th[scope=col]").Length);
        }

        var room = await ann.GetAsync($"/rooms/{code}");
        Assert.Equal($"/rooms/{code}/stats", room.Document.QuerySelector("a[data-stats-link]")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Non_members_and_unknown_rooms_get_the_same_answer_as_on_any_other_member_only_route()
    {
        await using var app = new AppFactory();
        using var ann = app.NewBrowser();
        using var stranger = app.NewBrowser("Stranger/1.0");
        var code = await ann.CreateRoomAsync("Ann");
        await ann.RollAsync(code, "1d20");

        foreach (var room in new[] { code, "ZZZZ-0000" })
        {
            var stats = await stranger.GetAsync($"/rooms/{room}/stats");
            var roll = await stranger.PostAsync($"/rooms/{room}/rolls", ("dice", "1d20"));

            Assert.Equal((roll.Status, roll.ErrorCode), (stats.Status, stats.ErrorCode));
            Assert.True((int)stats.Status is >= 400 and < 500, $"{room}: {(int)stats.Status}");
            Assert.Null(stats.Document.QuerySelector("[data-die-size]"));
        }
    }
}
