using System.Globalization;
using System.Text.RegularExpressions;
using DiceRoller.Fairness;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Fairness;

/// <summary>
/// The three verifiers (the C# <see cref="RollVerifier"/> behind /verify, scripts/verify.py, and the engine that rolled)
/// agree on rolls using every construct of the dice language: arithmetic, parentheses, annotations, the d20 operators,
/// keep/drop steps, 0 and 1-sided dice, crits.
/// </summary>
public sealed partial class FormulaVerificationTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("diceroller-formulas-");

    public static readonly string[] Constructs =
    [
        "4*(3d8kh2+9[fire]+(9d2e2+3[cold])/2)", "-(1d8 + 3) [healing]", "60 / 1d6", "2 * 1d6", "-7 / 1d3", "1 + 3 * 6",
        "3d6 [fire] + 1d4 [piercing]", "(1d6+2)[fire] + 1d4", "1d20mi10", "10d6ma4", "2d6mi2ma5", "1d6rol1", "1d6ral1", "4d6roh2",
        "1d20rr<20", "1d2e2", "6d6e>4", "10d6k1k2k3", "10d6k1ph1", "((10d6kh5)kl2)kh1", "5d6k>3", "5d6p<3", "4d6p1",
        "10d6kh1kl1", "8d6 fire", "2d6+3 crit", "0d6+1", "1d1", "1d1ra1", "1+2+3", "d%", "6d10>=8", "4dF+1", "50d6!+40d6",
    ];

    [Fact]
    public async Task Rolls_using_every_construct_verify_in_csharp_and_in_verify_py_with_the_same_verdicts()
    {
        using var game = new FairLog(RoomSeed.Create(), Ed25519RollSigner.NewPrivateKey());
        for (var round = 0; round < 3; round++)
        {
            foreach (var formula in Constructs)
            {
                game.Roll(round % 2 == 0 ? "ann" : "bob", formula);
            }
        }

        var log = game.Build();
        var (code, stdout, stderr) = await VerifyScriptTests.RunAsync(Write(log));
        var csharp = RollVerifier.VerifyLog(log);

        Assert.DoesNotContain(csharp, c => c.Status != CheckStatus.Passed);
        Assert.True(code == 0, stdout + stderr);
        var python = Lines(stdout);
        Assert.DoesNotContain(python, l => l.Status != "PASS");
        Assert.True(csharp.Select(c => (c.Sequence, c.Check)).ToHashSet().SetEquals(python.Select(l => (l.Sequence, l.Check))), stdout);
        output.WriteLine($"{log.Rolls.Count} rolls of {Constructs.Length} constructs: {csharp.Count} C# checks and {python.Count} verify.py checks passed");
    }

    [Theory]
    [InlineData("4*(3d8kh2+9[fire]+(9d2e2+3[cold])/2)", "total")]
    [InlineData("1d20mi10", "counted")]
    [InlineData("((10d6kh5)kl2)kh1", "fate")]
    public async Task A_changed_total_worth_or_fate_of_a_new_construct_fails_in_both_verifiers(string formula, string tamper)
    {
        using var game = new FairLog(RoomSeed.Create(), Ed25519RollSigner.NewPrivateKey()).Roll("ann", "1d20").Roll("ann", formula);
        var log = game.Build();
        var roll = log.Rolls[1];
        var term = roll.Terms![0];
        var changed = tamper switch
        {
            "total" => roll with { Total = roll.Total + 1 },
            // A worth the die does not have: a counted equal to the die's own worth would say nothing new.
            "counted" => roll with { Terms = [term with { Dice = [term.Dice[0] with { Counted = OtherWorth(term.Dice[0].Counted ?? term.Dice[0].Value) }] }] },
            _ => roll with { Terms = [term with { Dice = term.Dice.Select((d, i) => i == 0 ? d with { Fate = d.Fate == "kept" ? "dropped" : "kept" } : d).ToList() }] },
        };
        log = log with { Rolls = [log.Rolls[0], changed] };

        var (code, stdout, _) = await VerifyScriptTests.RunAsync(Write(log));
        var csharp = RollVerifier.VerifyLog(log);

        Assert.Equal(1, code);
        Assert.Contains(Lines(stdout), l => l.Status == "FAIL" && l.Sequence == 2 && l.Check is "dice" or "total" or "hash");
        Assert.Contains(csharp, c => c.Status == CheckStatus.Failed && c.Sequence == 2);
        Assert.DoesNotContain(csharp, c => c.Status == CheckStatus.Failed && c.Sequence == 1);
    }

    private static int OtherWorth(int worth) => worth < 20 ? worth + 1 : worth - 1;

    private string Write(VerifiableLog log)
    {
        var file = Path.Combine(_dir.FullName, $"log-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, VerifiableJson.Serialize(log));
        return file;
    }

    [GeneratedRegex(@"^(PASS|FAIL|PENDING) (?:roll #(\d+) \([^)]*\)|log) (\w+): ")]
    private static partial Regex CheckLine();

    private static List<(string Status, long? Sequence, string Check)> Lines(string stdout) =>
        stdout.Split('\n').Select(l => CheckLine().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : (long?)null, m.Groups[3].Value))
            .ToList();

    public void Dispose() => _dir.Delete(recursive: true);
}
