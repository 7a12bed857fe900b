using System.Globalization;
using CsCheck;
using DiceRoller.Dice;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Dice;

/// <summary>
/// Properties of formulas with arithmetic, parentheses, signs and annotations over generated expressions (CsCheck):
/// print then parse gives the same tree, every total lies in the computed [min, max], and the engine agrees with a tiny
/// evaluator written here from the grammar alone (it reads the text itself and takes the engine's draws in order).
/// </summary>
public sealed class ArithmeticPropertyTests(ITestOutputHelper output)
{
    private const int Iterations = 5_000;

    private static readonly Gen<string> Dice =
        Gen.Select(Gen.Int[0, 4], Gen.OneOf("1", "2", "4", "6", "20"), Gen.Int[0, 2], Gen.Int[1, 4])
            .Select((n, s, keep, k) => $"{n}d{s}" + (n >= 1 && keep > 0 ? (keep == 1 ? "kh" : "kl") + Math.Min(k, n).ToString(CultureInfo.InvariantCulture) : ""));

    private static readonly Gen<string> Annotation = Gen.OneOf("", "", "", " [fire]", "[cold]");

    private static Gen<string> Expr(int depth) => depth == 0
        ? Gen.Frequency((2, Gen.Int[0, 20].Select(n => n.ToString(CultureInfo.InvariantCulture))), (3, Dice)).Select(Annotation, (a, n) => a + n)
        : Gen.Frequency(
            (3, Expr(0)),
            (1, Expr(depth - 1).Select(Annotation, (e, a) => $"({e}){a}")),
            (1, Expr(depth - 1).Select(e => "-" + e)),
            (4, Gen.Select(Expr(depth - 1), Gen.OneOf(" + ", "-", " * ", "/", "+"), Expr(depth - 1)).Select((l, op, r) => l + op + r)));

    private static readonly Gen<(string Text, DiceSpec Spec)> Valid =
        Expr(4).Select(text => (text, DiceParser.Parse(text).Spec)).Where(x => x.Spec is not null).Select(x => (x.text, x.Spec!));

    [Fact]
    public void Printing_a_formula_and_parsing_it_again_gives_the_same_tree()
    {
        var trees = 0;
        Valid.Sample(x =>
        {
            var (again, error) = DiceNotation.ParseStored(x.Spec.Notation, advantage: null);
            Assert.True(error is null, $"{x.Text} printed as {x.Spec.Notation}: {error?.Message}");
            Assert.True(x.Spec.SameAs(again!), $"{x.Text} printed as {x.Spec.Notation} came back as {again!.Notation}");
            trees += x.Spec.Tree is null ? 0 : 1;
        }, iter: Iterations, threads: 1, print: x => x.Text);
        Assert.True(trees > Iterations / 4, $"only {trees} of {Iterations} formulas had arithmetic");
        output.WriteLine($"parse(print(f)) = f for {Iterations} generated formulas, {trees} with arithmetic or parentheses");
    }

    [Fact]
    public void Every_total_lies_in_the_computed_range_and_matches_a_tiny_independent_evaluator()
    {
        var random = new CryptoRandomSource();
        Valid.Sample(x =>
        {
            var recording = new Recording(random);
            var outcome = DiceEngine.Roll(x.Spec, recording);
            var (min, max) = x.Spec.Range();
            Assert.InRange(outcome.Total, min, max);
            var independent = new TinyEvaluator(x.Text, recording.Draws).Evaluate();
            Assert.True(independent == outcome.Total, $"{x.Text}: engine {outcome.Total}, tiny evaluator {independent}, draws {string.Join(",", recording.Draws)}");
        }, iter: Iterations, threads: 1, print: x => x.Text);
        output.WriteLine($"{Iterations} generated formulas: engine total = tiny evaluator's, within [min, max]");
    }

    private sealed class Recording(IRandomSource inner) : IRandomSource
    {
        public List<int> Draws { get; } = [];

        public int NextInt(int minInclusive, int maxExclusive)
        {
            var value = inner.NextInt(minInclusive, maxExclusive);
            Draws.Add(value);
            return value;
        }
    }

    /// <summary>
    /// sum := product (("+"|"-") product)*; product := unary (("*"|"/") unary)*; unary := "-" unary | atom ["[..]"];
    /// atom := "(" sum ")" | N | NdS [("kh"|"kl") K]. Dice take the next draws in order; "/" rounds down.
    /// </summary>
    private sealed class TinyEvaluator(string text, List<int> draws)
    {
        private int _i;
        private int _draw;

        public long Evaluate()
        {
            var value = Sum();
            Assert.Equal(draws.Count, _draw);
            return value;
        }

        private char Peek()
        {
            while (_i < text.Length && text[_i] == ' ')
            {
                _i++;
            }

            return _i < text.Length ? text[_i] : '\0';
        }

        private long Sum()
        {
            var value = Product();
            while (Peek() is '+' or '-')
            {
                var op = text[_i++];
                var right = Product();
                value = op == '+' ? value + right : value - right;
            }

            return value;
        }

        private long Product()
        {
            var value = Unary();
            while (Peek() is '*' or '/')
            {
                var op = text[_i++];
                var right = Unary();
                value = op == '*' ? value * right : (long)Math.Floor((double)value / right);
            }

            return value;
        }

        private long Unary()
        {
            if (Peek() == '-')
            {
                _i++;
                return -Unary();
            }

            long value;
            if (Peek() == '(')
            {
                _i++;
                value = Sum();
                Peek();
                _i++; // ")"
            }
            else
            {
                var n = Number();
                if (_i < text.Length && text[_i] == 'd')
                {
                    _i++;
                    Number();
                    var faces = draws.Skip(_draw).Take(n).ToList();
                    _draw += n;
                    if (_i + 1 < text.Length && text[_i] == 'k')
                    {
                        var highest = text[_i + 1] == 'h';
                        _i += 2;
                        var k = Number();
                        faces = (highest ? faces.OrderByDescending(f => f) : faces.OrderBy(f => f)).Take(k).ToList();
                    }

                    value = faces.Sum();
                }
                else
                {
                    value = n;
                }
            }

            if (Peek() == '[')
            {
                _i = text.IndexOf(']', _i) + 1;
            }

            return value;
        }

        private int Number()
        {
            var start = _i;
            while (_i < text.Length && char.IsAsciiDigit(text[_i]))
            {
                _i++;
            }

            return int.Parse(text.AsSpan(start, _i - start), CultureInfo.InvariantCulture);
        }
    }
}
