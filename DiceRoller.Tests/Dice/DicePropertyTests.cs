using CsCheck;
using DiceRoller.Dice;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Dice;

/// <summary>Properties of the dice language over thousands of generated formulas and strings (CsCheck).</summary>
public sealed class DicePropertyTests(ITestOutputHelper output)
{
    private const int Iterations = 20_000;

    private static readonly Gen<string> Compare = Gen.OneOf("", "<", "<=", ">", ">=");

    /// <summary>A dice term as a table would write it, options in any combination (some invalid: those are filtered by parsing).</summary>
    private static readonly Gen<string> DiceTermText =
        Gen.Select(Gen.Int[1, 30], Gen.OneOf("4", "6", "8", "10", "12", "20", "100", "%", "F", "2", "3", "1000", "37"), Gen.Int[0, 3], Gen.Int[1, 12], Gen.Int[1, 8])
            .SelectMany(t => Gen.Select(Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Compare, Compare, Gen.OneOf("kh", "k", "kl", "dh", "dl", "ro", "r")).Select(o =>
            {
                var (count, sides, pick, n, target) = t;
                var (reroll, explode, keep, success, cmp1, cmp2, keepKind) = o;
                var text = $"{count}d{sides}";
                if (reroll)
                {
                    text += (pick == 0 ? "ro" : "r") + cmp1 + n;
                }

                if (explode)
                {
                    text += pick == 1 ? "!" : "!" + (cmp2 == "" ? ">=" : cmp2) + (n + 1);
                }

                if (keep && keepKind is not ("r" or "ro"))
                {
                    text += keepKind + Math.Max(1, count - pick);
                }

                if (success)
                {
                    text += (cmp2 == "" ? ">=" : cmp2) + target;
                }

                return text;
            }));

    private static readonly Gen<string> TermText = Gen.Frequency((4, DiceTermText), (1, Gen.Int[0, 1000].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    private static readonly Gen<DiceSpec> ValidSpec =
        Gen.Select(TermText.Array[1, 6], Gen.Bool.Array[6])
            .Select((terms, signs) => string.Concat(terms.Select((t, i) => (signs[i] ? "-" : i == 0 ? "" : "+") + t)))
            .Select(text => DiceParser.Parse(text).Spec)
            .Where(spec => spec is not null)
            .Select(spec => spec!);

    [Fact]
    public void Every_total_lies_within_the_formulas_min_and_max_and_no_roll_draws_over_100_dice()
    {
        var random = new CryptoRandomSource();
        var checkedSpecs = 0;
        ValidSpec.Sample(spec =>
        {
            var counting = new CountingRandom(random);
            var outcome = DiceEngine.Roll(spec, counting);
            var (min, max) = spec.Range();
            Assert.InRange(outcome.Total, min, max);
            Assert.InRange(counting.Calls, spec.BaseDice, DiceSpec.MaxDice);
            Assert.Equal(counting.Calls, outcome.Results.Count);
            Assert.Equal(outcome.Total, outcome.Terms.Sum(t => t.Subtotal));
            Interlocked.Increment(ref checkedSpecs);
        }, iter: Iterations, threads: 1, print: s => s.Notation);
        output.WriteLine($"{checkedSpecs} random valid formulas rolled: every total within min..max, at most {DiceSpec.MaxDice} dice drawn");
    }

    /// <summary>
    /// A roll stores its printed formula and verification reads it back as stored: printing may spell a typed formula out
    /// beyond the typing limit (CsCheck seed 7OvEQFCto3k1 found one at 103), and it must still come back the same.
    /// </summary>
    [Fact]
    public void Printing_a_formula_and_reading_the_stored_form_again_gives_the_same_formula()
    {
        var count = 0;
        ValidSpec.Sample(spec =>
        {
            var (again, error) = DiceNotation.ParseStored(spec.Notation, advantage: null);
            Assert.Null(error);
            Assert.True(spec.SameAs(again!), $"{spec.Notation} came back as {again!.Notation}");
            count++;
        }, iter: Iterations, threads: 1, print: s => s.Notation);
        output.WriteLine($"parse(print(f)) = f for {count} random formulas");
    }

    [Fact]
    public void Random_strings_give_a_spec_or_an_error_value_and_never_throw()
    {
        var alphabet = Gen.Char["0123456789dDkKhHlLrRoOfF%!+-<>=# \u0661\uff11\u2212x*()"];
        var strings = Gen.Frequency((3, alphabet.Array[0, 40]), (1, Gen.Char.Array[0, 120])).Select(a => new string(a));
        var (specs, errors) = (0, 0);
        strings.Sample(text =>
        {
            var (spec, error) = DiceNotation.Parse(text, null, null);
            Assert.True((spec is null) != (error is null), "exactly one of spec and error");
            if (error is not null)
            {
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
                Assert.Equal("INVALID_DICE_FORMAT", error.Code);
                errors++;
            }
            else
            {
                specs++;
            }
        }, iter: 50_000, threads: 1);
        output.WriteLine($"50000 random strings: {specs} parsed, {errors} error values, none threw");
    }

    private sealed class CountingRandom(IRandomSource inner) : IRandomSource
    {
        public int Calls { get; private set; }

        public int NextInt(int minInclusive, int maxExclusive)
        {
            Calls++;
            return inner.NextInt(minInclusive, maxExclusive);
        }
    }
}
