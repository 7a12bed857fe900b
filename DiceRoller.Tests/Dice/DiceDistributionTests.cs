using DiceRoller.Dice;
using DiceRoller.Fairness;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Dice;

/// <summary>
/// A chi-square goodness-of-fit test per mechanic over the draw stream rolls use (<see cref="SeededRandomSource"/>, one
/// stream per roll), against exact distributions computed here without the engine; each also runs over a biased source
/// (never the highest face) to show it can fail. The server seed is fixed, so the draws are the same every run: over fresh
/// OS randomness a fair mechanic would still cross the p = 0.001 line once in a thousand runs per mechanic (five of them:
/// one suite run in two hundred failing for nothing). A wrong mechanic fails every run.
/// </summary>
public sealed class DiceDistributionTests(ITestOutputHelper output)
{
    private const int Rolls = 60_000;

    /// <summary>A fixed server seed: 32 bytes 0x00..0x1F.</summary>
    private static readonly byte[] ServerSeed = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    /// <summary>Critical values of chi-square at p = 0.001 by degrees of freedom.</summary>
    private static readonly Dictionary<int, double> Critical = new() { [5] = 20.515, [8] = 26.124, [15] = 37.697 };

    public static TheoryData<string, bool> Mechanics()
    {
        var data = new TheoryData<string, bool>();
        foreach (var mechanic in new[] { "4d6kh3", "1d6!", "1d6ro1", "8d6>=5", "4dF" })
        {
            data.Add(mechanic, false);
            data.Add(mechanic, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Mechanics))]
    public void Each_mechanic_matches_its_exact_distribution_and_a_biased_source_is_caught(string formula, bool biased)
    {
        var (expected, bin) = Exact(formula);
        var spec = DiceParser.Parse(formula).Spec!;
        var counts = new int[expected.Length];
        for (var nonce = 1; nonce <= Rolls; nonce++)
        {
            IRandomSource stream = new SeededRandomSource(ServerSeed, formula, nonce);
            counts[bin(DiceEngine.Roll(spec, biased ? new NeverTopFace(stream) : stream).Total)]++;
        }

        var chiSquare = counts.Select((c, i) => (c - (Rolls * expected[i])) * (c - (Rolls * expected[i])) / (Rolls * expected[i])).Sum();
        var df = expected.Length - 1;
        output.WriteLine($"{formula} over {Rolls} rolls ({(biased ? "biased" : "seeded")} source): chi-square {chiSquare:F2}, {df} degrees of freedom, critical value at p=0.001 {Critical[df]}");
        Assert.Equal(1.0, expected.Sum(), 9);
        Assert.All(expected, p => Assert.True(p * Rolls >= 5, "every bin expects at least 5"));
        if (biased)
        {
            Assert.True(chiSquare > Critical[df], $"a biased source passed: {chiSquare:F2}");
        }
        else
        {
            Assert.True(chiSquare < Critical[df], $"{formula}: chi-square {chiSquare:F2} says the distribution is off");
        }
    }

    /// <summary>The probability of each bin and the bin of a total.</summary>
    private static (double[] Expected, Func<int, int> Bin) Exact(string formula)
    {
        switch (formula)
        {
            case "4d6kh3":
            {
                // Enumerate all 6^4 outcomes: sum minus the lowest. Totals 3..18, 16 bins.
                var p = new double[16];
                foreach (var a in Faces(6))
                foreach (var b in Faces(6))
                foreach (var c in Faces(6))
                foreach (var d in Faces(6))
                {
                    p[a + b + c + d - Math.Min(Math.Min(a, b), Math.Min(c, d)) - 3] += 1.0 / 1296;
                }

                return (p, t => t - 3);
            }

            case "1d6!":
            {
                // A total 6k + r (r in 1..5) has probability (1/6)^(k+1). Bins: 1-5, 7-11, 13-17, and 19+ (1/216).
                var p = new double[16];
                for (var k = 0; k < 3; k++)
                {
                    for (var r = 1; r <= 5; r++)
                    {
                        p[(k * 5) + r - 1] = Math.Pow(1.0 / 6, k + 1);
                    }
                }

                p[15] = Math.Pow(1.0 / 6, 3);
                return (p, t => t > 18 ? 15 : ((t / 6) * 5) + (t % 6) - 1);
            }

            case "1d6ro1":
                // A 1 rerolls once: P(1) = 1/36, P(v) = 1/6 + 1/36 for 2..6.
                return ([1.0 / 36, 7.0 / 36, 7.0 / 36, 7.0 / 36, 7.0 / 36, 7.0 / 36], t => t - 1);

            case "8d6>=5":
            {
                // Successes are Binomial(8, 1/3), 0..8 (8 successes: about 9 expected in 60000).
                var p = Enumerable.Range(0, 9).Select(k => Choose(8, k) * Math.Pow(1.0 / 3, k) * Math.Pow(2.0 / 3, 8 - k)).ToArray();
                return (p, t => t);
            }

            default:
            {
                // 4dF: the sum of four faces -1/0/+1, 81 outcomes.
                var p = new double[9];
                foreach (var a in Faces(3))
                foreach (var b in Faces(3))
                foreach (var c in Faces(3))
                foreach (var d in Faces(3))
                {
                    p[a + b + c + d - 4] += 1.0 / 81;
                }

                return (p, t => t + 4);
            }
        }
    }

    private static IEnumerable<int> Faces(int sides) => Enumerable.Range(1, sides);

    private static double Choose(int n, int k) => Enumerable.Range(1, k).Aggregate(1.0, (acc, i) => acc * (n - k + i) / i);

    /// <summary>A loaded source: uniform, but never the highest face.</summary>
    private sealed class NeverTopFace(IRandomSource inner) : IRandomSource
    {
        public int NextInt(int minInclusive, int maxExclusive) => inner.NextInt(minInclusive, maxExclusive - 1);
    }
}
