using System.Text.RegularExpressions;
using DiceRoller.Dice;
using DiceRoller.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Dice;

public sealed partial class DiceEngineTests(ITestOutputHelper output)
{
    [Fact]
    public void Dice_come_only_from_the_injected_source_and_add_up_with_the_modifier()
    {
        var random = new ScriptedRandom(3, 6, 1);

        var outcome = DiceEngine.Roll(new DiceSpec(3, 6, 4, Advantage.None), random);

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
        var outcome = DiceEngine.Roll(new DiceSpec(1, 20, 2, advantage), new ScriptedRandom(first, second));

        Assert.Equal([first, second], outcome.Results);
        Assert.Equal(kept, outcome.KeptIndex);
        Assert.Equal(total, outcome.Total);
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
        var outcome = DiceEngine.Roll(new DiceSpec(100, sides, 0, Advantage.None), random);
        var seen = new HashSet<int>(outcome.Results);
        for (var i = 0; i < 200 && seen.Count < sides; i++)
        {
            seen.UnionWith(DiceEngine.Roll(new DiceSpec(100, sides, 0, Advantage.None), random).Results);
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
            counts[DiceEngine.Roll(new DiceSpec(1, 20, 0, Advantage.None), random).Total]++;
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
