using System.Globalization;
using System.Text.Json;
using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Fairness;

/// <summary>The formula vectors of docs/fairness.md ("Formulas") are what the engine rolls from the test seed.</summary>
public sealed class FormulaVectorTests
{
    [Fact]
    public void The_engine_rolls_every_formula_vector_of_the_doc()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "fairness.md"));
        const string Begin = "<!-- formula-vectors:begin -->";
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf("<!-- formula-vectors:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/fairness.md has no formula-vectors block");
        var json = doc[(start + Begin.Length)..end].Trim().Trim('`').Replace("json", "", StringComparison.Ordinal);
        var vectors = JsonDocument.Parse(json).RootElement.EnumerateArray().ToList();

        Assert.Equal(11, vectors.Count);
        foreach (var v in vectors)
        {
            var formula = v.GetProperty("formula").GetString()!;
            var (spec, error) = DiceNotation.ParseStored(formula, "none");
            Assert.True(error is null, error?.Message);
            Assert.Equal(formula, spec!.Notation);
            var stream = new SeededRandomSource(FairLog.TestSeed, "vectors", v.GetProperty("nonce").GetInt64());
            var outcome = DiceEngine.Roll(spec, stream);

            Assert.Equal(v.GetProperty("total").GetInt32(), outcome.Total);
            Assert.Equal(v.GetProperty("values_used").GetInt32(), stream.ValuesUsed);
            var terms = v.GetProperty("terms").EnumerateArray().ToList();
            Assert.Equal(terms.Count, outcome.Terms.Count);
            foreach (var (expected, actual) in terms.Zip(outcome.Terms))
            {
                Assert.Equal(expected[0].GetInt32(), actual.Subtotal);
                var dice = string.Join(' ', actual.Dice.Select(d => d.Value.ToString(CultureInfo.InvariantCulture)
                    + (d.Fate == DieFate.Kept ? "" : RollVerifier.FateName(d.Fate)[..1])
                    + (d.Counted is int c ? "=" + c.ToString(CultureInfo.InvariantCulture) : "")));
                Assert.Equal(expected.GetArrayLength() > 1 ? expected[1].GetString() : "", dice);
            }
        }
    }
}
