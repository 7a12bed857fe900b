using DiceRoller.Dice;
using DiceRoller.Fairness;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Dice;

/// <summary>
/// The D&amp;D core of d20's test expressions (the library behind Avrae; its tests/test_dice.py and README), written out
/// here by hand with the meaning d20 gives them, except the three documented choices: <c>d%</c> is 1-100, plain
/// <c>kN</c> keeps the highest N, and <c>NdS&gt;=T</c> counts successes. Left out: sets with commas
/// (<c>(1d4, 2+2)kh1</c>), comparisons as values (<c>1 == 1</c>), <c>%</c> and <c>//</c>, and decimals.
/// </summary>
public sealed class D20CoreSetTests(ITestOutputHelper output)
{
    private const int Rolls = 300;

    /// <summary>Expression, lowest and highest total d20 allows (the same number when d20 asserts an exact total).</summary>
    public static TheoryData<string, int, int> Accepted => new()
    {
        { "1d20", 1, 20 },
        { "1d%", 1, 100 },
        { "1+1", 2, 2 },
        { "4d6kh3", 3, 18 },
        { "(1)", 1, 1 },
        { "((1d6))", 1, 6 },
        { "(((1d6)))", 1, 6 },
        { "4*(3d8kh2+9[fire]+(9d2e2+3[cold])/2)", 4 * (2 + 9 + ((9 + 3) / 2)), int.MaxValue },
        { "((10d6kh5)kl2)kh1", 1, 6 },
        { "1 + 3 * 6", 19, 19 },
        { "1 + (3 * 6)", 19, 19 },
        { "(1 + 3) * 6", 24, 24 },
        { "1 + 2 + 3", 6, 6 },
        { "(1 + 2) + 3", 6, 6 },
        { "1 + (2 + 3)", 6, 6 },
        // d20: the 1s, 2s and 3s (0 to 30); here kh1, kh2 and kh3 merged: the highest 3 (3 to 18), inside d20's range.
        { "10d6k1k2k3", 3, 18 },
        // d20 reads k1 as "keep the 1s" (0 to 9 here); the documented choice reads it as kh1, so ph1 drops that die: 0.
        { "10d6k1ph1", 0, 0 },
        { "1", 1, 1 },
        { "10000", 10000, 10000 },
        { "0d6", 0, 0 },
        { "d6", 1, 6 },
        { "1d6", 1, 6 },
        { "2d6", 2, 12 },
        { "0d%", 0, 0 },
        { "d%", 1, 100 },
        { "2d%", 2, 200 },
        { "+1", 1, 1 },
        { "-1", -1, -1 },
        { "--1", 1, 1 },
        { "-+-++---+1", -1, -1 },
        { "2 + 2", 4, 4 },
        { "2 - 2", 0, 0 },
        { "2 * 5", 10, 10 },
        { "15 / 2", 7, 7 },
        { "2 + 1d6", 3, 8 },
        { "2 * 1d6", 2, 12 },
        { "60 / 1d6", 10, 60 },
        { "1d20rr<20", 20, 20 },
        { "1d20rr>1", 1, 1 },
        { "1d1ro1", 1, 1 },
        { "1d6rol1", 1, 6 },
        { "1d1ra1", 2, 2 },
        { "1d6ral1", 2, 12 },
        { "1d2e2", 1, int.MaxValue },
        { "10d6mi6", 60, 60 },
        { "10d6mi10", 100, 100 },
        { "10d6mi2", 20, 60 },
        { "10d6ma1", 10, 10 },
        { "10d6ma0", 0, 0 },
        { "10d6ma5", 10, 50 },
        { "1d20mi10", 10, 20 },
        { "2d6mi2", 4, 12 },
        { "8d6 [fire]", 8, 48 },
        { "3d6 [fire] + 1d4 [piercing]", 4, 22 },
        { "1 [a] + 2", 3, 3 },
        { "-(1d8 + 3) [healing]", -11, -4 },
        { "(1d8 + 3) * 2", 8, 22 },
        { "1d20 stealth", 1, 20 },
        { "8d6 fire", 8, 48 },
        { "1d1", 1, 1 },
        { "100d20", 100, 2000 },
        { "10d20rr<20", 10, 200 },
        { string.Concat(Enumerable.Repeat("1d20+", 50)) + "1d20", 51, 1020 },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_core_set_expression_is_accepted_and_rolls_with_d20s_meaning(string expression, int min, int max)
    {
        var (spec, error) = DiceNotation.Parse(expression);
        Assert.True(error is null, error?.Message);

        var seed = RoomSeed.Create();
        var seen = new HashSet<int>();
        for (var nonce = 1; nonce <= Rolls; nonce++)
        {
            var outcome = DiceEngine.Roll(spec!, new SeededRandomSource(seed, "core-set", nonce));
            // The documented difference: a roll draws at most 100 dice (d20 allows 1000 rolls), so a reroll-until can stop early.
            var (low, high) = outcome.CapReached ? spec!.Range() : (min, max);
            Assert.InRange(outcome.Total, low, high);
            Assert.Equal(outcome.Total, DiceEngine.Roll(spec!, new SeededRandomSource(seed, "core-set", nonce)).Total);
            seen.Add(outcome.Total);
        }

        if (min != max)
        {
            Assert.True(seen.Count > 1, $"{expression} always rolled {seen.First()} in {Rolls} rolls");
        }

        output.WriteLine($"{expression}: {spec!.Notation}, {Rolls} rolls in [{seen.Min()}, {seen.Max()}]");
    }

    [Theory]
    [InlineData("60 / 1d6", new[] { 60, 30, 20, 15, 12, 10 })]
    [InlineData("1d2e2", new[] { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 })]
    public void Division_rounds_down_and_exploding_d2s_stay_odd(string expression, int[] allowed)
    {
        var spec = DiceNotation.Parse(expression).Spec!;
        var seed = RoomSeed.Create();
        for (var nonce = 1; nonce <= Rolls; nonce++)
        {
            var total = DiceEngine.Roll(spec, new SeededRandomSource(seed, "core-set", nonce)).Total;
            Assert.True(allowed.Contains(total) || (expression == "1d2e2" && total % 2 == 1), $"{expression} rolled {total}");
        }
    }

    [Theory]
    [InlineData("1d20 stealth", "stealth", 1)]
    [InlineData("8d6 fire", "fire", 8)]
    [InlineData("1d20+5 # Stealth", "Stealth", 1)]
    [InlineData("2d6+3 crit Longsword", "Longsword", 4)]
    public void Text_after_a_complete_formula_is_its_label(string expression, string label, int dice)
    {
        var (spec, error) = DiceNotation.Parse(expression);

        Assert.Null(error);
        Assert.Equal(label, spec!.Label);
        Assert.Equal(dice, spec.BaseDice);
    }

    /// <summary>What d20 refuses (TooManyRolls, RollValueError) is refused here too, with a message.</summary>
    [Theory]
    [InlineData("1001d6", "roll 0 to 100 dice")]
    [InlineData("6d0", "1 to 1000 faces")]
    [InlineData("10d6mil1", "a number must follow \"mi\"")]
    [InlineData("1d20rr<21", "forever")]
    [InlineData("1d1rr1", "forever")]
    [InlineData("1d20e<21", "every face")]
    [InlineData("1d1e1", "every face")]
    [InlineData("10 / 0", "divisor could be 0")]
    public void What_d20_refuses_is_refused_with_a_clear_message(string expression, string says)
    {
        var (spec, error) = DiceNotation.Parse(expression);

        Assert.Null(spec);
        Assert.Contains(says, error!.Message, StringComparison.Ordinal);
    }
}
