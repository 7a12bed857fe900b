using System.Text.RegularExpressions;
using DiceRoller.Dice;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Dice;

public sealed partial class DiceEngineTests(ITestOutputHelper output)
{
    private static DiceSpec Spec(string formula)
    {
        var (spec, error) = DiceParser.Parse(formula);
        Assert.True(error is null, error?.Message);
        return spec!;
    }

    private static string Dice(TermOutcome term) =>
        string.Join(" ", term.Dice.Select(d => d.Fate switch
        {
            DieFate.Dropped => $"({d.Value})",
            DieFate.Rerolled => $"~{d.Value}",
            DieFate.Exploded => $"{d.Value}!",
            _ => $"{d.Value}",
        }));

    [Fact]
    public void Dice_come_only_from_the_injected_source_and_add_up_with_the_modifier()
    {
        var random = new ScriptedRandom(3, 6, 1);

        var outcome = DiceEngine.Roll(DiceSpec.Of(3, 6, 4), random);

        Assert.Equal([3, 6, 1], outcome.Results);
        Assert.Equal(14, outcome.Total);
        Assert.Null(outcome.KeptIndex);
        Assert.All(random.Calls, c => Assert.Equal((1, 7), c));
    }

    [Theory]
    [InlineData(Advantage.Advantage, 7, 15, 1, 17)]
    [InlineData(Advantage.Advantage, 15, 7, 0, 17)]
    [InlineData(Advantage.Disadvantage, 7, 15, 0, 9)]
    [InlineData(Advantage.Disadvantage, 15, 7, 1, 9)]
    [InlineData(Advantage.Advantage, 12, 12, 0, 14)]
    public void Advantage_rolls_two_d20s_and_keeps_the_right_one(Advantage advantage, int first, int second, int kept, int total)
    {
        var outcome = DiceEngine.Roll(DiceSpec.Of(1, 20, 2, advantage), new ScriptedRandom(first, second));

        Assert.Equal([first, second], outcome.Results);
        Assert.Equal(kept, outcome.KeptIndex);
        Assert.Equal(total, outcome.Total);
        Assert.Equal(kept == 0 ? first : second, outcome.Natural);
    }

    /// <summary>Each row: formula, the scripted draws, the dice per term as shown ((x) dropped, ~x rerolled, x! exploded), total.</summary>
    [Theory]
    [InlineData("4d6kh3", new[] { 3, 6, 1, 5 }, "3 6 (1) 5", 14)]
    [InlineData("4d6k3", new[] { 2, 2, 2, 2 }, "2 2 2 (2)", 6)]
    [InlineData("4d6dl1", new[] { 1, 4, 1, 6 }, "1 4 (1) 6", 11)]
    [InlineData("4d6dh1", new[] { 6, 4, 1, 6 }, "6 4 1 (6)", 11)]
    [InlineData("4d6kl2", new[] { 6, 4, 1, 6 }, "(6) 4 1 (6)", 5)]
    [InlineData("2d20kl1", new[] { 17, 3 }, "(17) 3", 3)]
    [InlineData("1d6!", new[] { 6, 6, 2 }, "6! 6! 2", 14)]
    [InlineData("2d6!", new[] { 6, 1, 6, 2 }, "6! 1 6! 2", 15)]
    [InlineData("2d6!", new[] { 1, 6, 3 }, "1 6! 3", 10)]
    [InlineData("1d10!>=9", new[] { 9, 10, 4 }, "9! 10! 4", 23)]
    [InlineData("2d6r1", new[] { 1, 1, 4, 5 }, "~1 ~1 4 5", 9)]
    [InlineData("2d6r<3", new[] { 2, 1, 3, 2, 6 }, "~2 ~1 3 ~2 6", 9)]
    [InlineData("2d6ro1", new[] { 1, 1, 1, 5 }, "~1 1 ~1 5", 6)]
    [InlineData("3d6ro<=2!kh2", new[] { 2, 6, 1, 5, 3 }, "~2 6! (1) 5 (3)", 11)]
    [InlineData("8d6>=5", new[] { 5, 6, 1, 2, 3, 4, 5, 1 }, "5 6 1 2 3 4 5 1", 3)]
    [InlineData("3d6!>=5", new[] { 6, 2, 4, 5, 3 }, "6! 2 4 5! 3", 20)]
    [InlineData("4dF", new[] { 1, 2, 3, 3 }, "-1 0 1 1", 1)]
    [InlineData("-1d4", new[] { 3 }, "3", -3)]
    public void The_engine_rolls_each_mechanic_in_draw_order(string formula, int[] draws, string shown, int total)
    {
        var random = new ScriptedRandom(draws);

        var outcome = DiceEngine.Roll(Spec(formula), random);

        Assert.Equal(shown, Dice(Assert.Single(outcome.Terms)));
        Assert.Equal(total, outcome.Total);
        Assert.Equal(draws.Length, random.Calls.Count);
        Assert.Equal(draws.Select(d => formula.Contains('F', StringComparison.Ordinal) ? d - 2 : d), outcome.Results);
        Assert.False(outcome.CapReached);
    }

    [Fact]
    public void Every_term_has_its_dice_and_subtotal_and_constants_add_up()
    {
        var outcome = DiceEngine.Roll(Spec("2d6+1d4-3+1"), new ScriptedRandom(5, 6, 2));

        Assert.Equal(["2d6", "1d4", "-3", "1"], outcome.Terms.Select(t => t.Notation));
        Assert.Equal([11, 2, -3, 1], outcome.Terms.Select(t => t.Subtotal));
        Assert.Equal(11, outcome.Total);
        Assert.Null(outcome.Natural);
    }

    [Fact]
    public void Success_counts_are_the_subtotal_and_are_summed_over_terms()
    {
        var outcome = DiceEngine.Roll(Spec("3d6>=5+2d10>8"), new ScriptedRandom(5, 6, 1, 9, 10));

        Assert.Equal([2, 2], outcome.Terms.Select(t => t.Successes!.Value));
        Assert.Equal(4, outcome.Successes);
        Assert.Equal(4, outcome.Total);
    }

    [Fact]
    public void Explosions_stop_at_the_100_dice_cap_and_say_so()
    {
        var random = new ScriptedRandom([.. Enumerable.Repeat(6, 98), 4, 4, 4]);

        var outcome = DiceEngine.Roll(Spec("1d6!+2d4"), random);

        Assert.Equal(DiceSpec.MaxDice, random.Calls.Count);
        Assert.Equal(DiceSpec.MaxDice, outcome.Results.Count);
        Assert.True(outcome.CapReached);
        Assert.Equal(98, outcome.Terms[0].Dice.Count);
        Assert.Equal(2, outcome.Terms[1].Dice.Count);
    }

    [Fact]
    public void Rerolls_stop_at_the_cap_and_the_last_die_stands()
    {
        var random = new ScriptedRandom(Enumerable.Repeat(1, 200).ToArray());

        var outcome = DiceEngine.Roll(Spec("1d6r1"), random);

        Assert.Equal(DiceSpec.MaxDice, random.Calls.Count);
        Assert.True(outcome.CapReached);
        Assert.Equal(1, outcome.Total);
        Assert.Equal(DiceSpec.MaxDice - 1, outcome.Terms[0].Dice.Count(d => d.Fate == DieFate.Rerolled));
    }

    [Theory]
    [InlineData("1d20+5", new[] { 20 }, 20)]
    [InlineData("2d20kh1+5", new[] { 1, 20 }, 20)]
    [InlineData("2d20kl1", new[] { 1, 20 }, 1)]
    [InlineData("3+1d20", new[] { 1 }, 1)]
    public void A_single_kept_d20_is_a_natural(string formula, int[] draws, int natural)
    {
        Assert.Equal(natural, DiceEngine.Roll(Spec(formula), new ScriptedRandom(draws)).Natural);
    }

    [Theory]
    [InlineData("2d20", new[] { 20, 20 })]
    [InlineData("1d20+1d4", new[] { 20, 4 })]
    [InlineData("1d20!", new[] { 20, 20, 3 })]
    [InlineData("1d20r1", new[] { 20 })]
    [InlineData("-1d20", new[] { 20 })]
    public void Other_rolls_have_no_natural(string formula, int[] draws)
    {
        var spec = Spec(formula);

        Assert.False(spec.IsD20Check);
        Assert.Null(DiceEngine.Roll(spec, new ScriptedRandom(draws)).Natural);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(20)]
    [InlineData(100)]
    public void Every_die_lands_on_every_face_and_nowhere_else(int sides)
    {
        var random = new CryptoRandomSource();
        var outcome = DiceEngine.Roll(DiceSpec.Of(100, sides), random);
        var seen = new HashSet<int>(outcome.Results);
        for (var i = 0; i < 200 && seen.Count < sides; i++)
        {
            seen.UnionWith(DiceEngine.Roll(DiceSpec.Of(100, sides), random).Results);
        }

        Assert.Equal(Enumerable.Range(1, sides), seen.Order());
        Assert.Equal(outcome.Results.Sum(), outcome.Total);
    }

    [Fact]
    public void Os_generator_d20_passes_a_chi_square_uniformity_test_over_200000_rolls()
    {
        const int Rolls = 200_000;
        var random = new CryptoRandomSource();
        var counts = new int[21];
        for (var i = 0; i < Rolls; i++)
        {
            counts[DiceEngine.Roll(DiceSpec.Of(1, 20), random).Total]++;
        }

        var expected = Rolls / 20.0;
        var chiSquare = counts.Skip(1).Sum(c => (c - expected) * (c - expected) / expected);
        output.WriteLine($"chi-square over {Rolls} d20 rolls, 19 degrees of freedom: {chiSquare:F2} (critical value at p=0.001: 43.82)");
        Assert.Equal(0, counts[0]);
        Assert.True(chiSquare < 43.82, $"chi-square {chiSquare:F2} says the d20 is not uniform");
    }

    [Fact]
    public void A_biased_source_fails_the_same_chi_square_test()
    {
        // Proves the uniformity test can fail: a d20 that never shows 20 is caught.
        var counts = new int[21];
        var random = new CryptoRandomSource();
        for (var i = 0; i < 200_000; i++)
        {
            counts[random.NextInt(1, 20)]++;
        }

        var expected = 200_000 / 20.0;
        var chiSquare = counts.Skip(1).Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chiSquare > 43.82);
    }

    [GeneratedRegex(@"\bnew\s+Random\s*\(|\bRandom\.Shared\b|System\.Random\b|\bGuid\.NewGuid\(\)\s*\.GetHashCode")]
    private static partial Regex OtherRandomness();

    [Fact]
    public void No_other_random_number_generator_is_used_anywhere_in_the_app()
    {
        var appFolder = Path.Combine(RepoRoot.Path, "DiceRoller");
        var offenders = Directory.EnumerateFiles(appFolder, "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(appFolder, "*.cshtml", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => OtherRandomness().IsMatch(File.ReadAllText(f)))
            .ToList();

        Assert.Empty(offenders);
        var crypto = File.ReadAllText(Path.Combine(appFolder, "Dice", "CryptoRandomSource.cs"));
        Assert.Contains("RandomNumberGenerator.GetInt32", crypto, StringComparison.Ordinal);
    }
}
