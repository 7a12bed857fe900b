using System.Globalization;

namespace DiceRoller.Dice;

/// <summary>One term as written: where it starts, its source text and what it means.</summary>
public sealed record TermSyntax(int Position, string Source, Term Term);

/// <summary>
/// The dice language's recursive-descent parser: tokens (<see cref="DiceLexer"/>) -> syntax tree (<see cref="TermSyntax"/>
/// per term) -> a validated <see cref="DiceSpec"/>. Every failure is a <see cref="DiceError"/> that says where and what
/// was expected. Pure: no I/O, never throws on input.
/// <code>
/// formula  := ["+" | "-"] term (("+" | "-") term)*
/// term     := NUMBER | [NUMBER] "d" (NUMBER | "%" | "F") option*
/// option   := ("r" | "ro") [cmp] NUMBER         reroll while matching / once
///           | "!" [cmp NUMBER]                   explode (default: the highest face)
///           | ("k" | "kh" | "kl" | "dh" | "dl") NUMBER
///           | cmp NUMBER                         count successes
/// cmp      := "&lt;" | "&lt;=" | "&gt;" | "&gt;="
/// </code>
/// </summary>
public sealed class DiceParser
{
    public const string Examples = "For example: 1d20+5, 4d6kh3 or 2d6+1d4+3.";

    private readonly string _text;
    private readonly IReadOnlyList<Token> _tokens;
    private int _index;

    private DiceParser(string text, IReadOnlyList<Token> tokens)
    {
        _text = text;
        _tokens = tokens;
    }

    /// <summary>Parses a formula (without its label) into a spec, or an error value.</summary>
    /// <param name="maxLength">The longest formula accepted: what a person may type, unless a stored formula is read back
    /// (<see cref="DiceSpec.MaxStoredFormulaLength"/>).</param>
    public static (DiceSpec? Spec, DiceError? Error) Parse(string? formula, string? label = null, int maxLength = DiceSpec.MaxFormulaLength)
    {
        var text = formula ?? "";
        if (text.Trim().Length == 0)
        {
            return (null, new DiceError(DiceNotation.InvalidDiceFormat, $"Choose dice to roll. {Examples}", 0));
        }

        if (text.Length > maxLength)
        {
            return (null, Error(text, $"a formula can be at most {maxLength} characters long, this one has {text.Length}", maxLength));
        }

        var (tokens, lexError) = DiceLexer.Tokenize(text);
        if (lexError is not null)
        {
            return (null, lexError);
        }

        var parser = new DiceParser(text, tokens!);
        var (syntax, error) = parser.ParseFormula();
        return error is not null ? (null, error) : Build(text, syntax!, label);
    }

    internal static DiceError Error(string text, string what, int position)
    {
        var shown = text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "\u2026");
        return new DiceError(DiceNotation.InvalidDiceFormat, $"\"{shown.Trim()}\": {what}. {Examples}", position);
    }

    private Token Peek => _tokens[_index];

    private Token Next() => _tokens[_index++];

    private DiceError Fail(string what, Token at) => Error(_text, $"{what} (at {at.Position})", at.Position);

    private (IReadOnlyList<TermSyntax>?, DiceError?) ParseFormula()
    {
        var terms = new List<TermSyntax>();
        var negative = false;
        if (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            negative = Next().Kind == TokenKind.Minus;
        }

        while (true)
        {
            var (term, error) = ParseTerm(negative);
            if (error is not null)
            {
                return (null, error);
            }

            terms.Add(term!);
            var after = Next();
            switch (after.Kind)
            {
                case TokenKind.End:
                    return (terms, null);
                case TokenKind.Plus or TokenKind.Minus:
                    negative = after.Kind == TokenKind.Minus;
                    continue;
                default:
                    return (null, Fail($"expected + or - between terms, found \"{after.Text}\"", after));
            }
        }
    }

    private (TermSyntax?, DiceError?) ParseTerm(bool negative)
    {
        var start = Peek;
        int? count = null;
        if (Peek.Kind == TokenKind.Number)
        {
            var number = Next();
            if (number.Value is null)
            {
                return (null, Fail($"numbers go up to {int.MaxValue.ToString(CultureInfo.InvariantCulture)}", number));
            }

            if (Peek.Kind != TokenKind.D)
            {
                return (Syntax(start, new ConstantTerm(negative, number.Value.Value)), null);
            }

            count = number.Value;
            if (count is < DiceSpec.MinCount or > DiceSpec.MaxCount)
            {
                return (null, Fail($"roll {DiceSpec.MinCount} to {DiceSpec.MaxCount} dice in a term, not {number.Text}", number));
            }
        }

        if (Peek.Kind != TokenKind.D)
        {
            return (null, Fail(Peek.Kind == TokenKind.End ? "a die or a number must follow" : $"expected a die like d20 or a number, found \"{Peek.Text}\"", Peek));
        }

        var d = Next();
        var sidesToken = Peek;
        int sides;
        var fudge = false;
        switch (sidesToken.Kind)
        {
            case TokenKind.Number:
                Next();
                if (sidesToken.Value is not (>= DiceSpec.MinSides and <= DiceSpec.MaxSides))
                {
                    return (null, Fail($"dice have {DiceSpec.MinSides} to {DiceSpec.MaxSides} faces, not {sidesToken.Text}", sidesToken));
                }

                sides = sidesToken.Value.Value;
                break;
            case TokenKind.Percent:
                Next();
                sides = 100;
                break;
            case TokenKind.Fudge:
                Next();
                sides = 3;
                fudge = true;
                break;
            default:
                return (null, Fail($"the number of faces must follow \"{d.Text}\"", sidesToken));
        }

        var term = new DiceTerm(negative, count ?? 1, sides, fudge);
        while (true)
        {
            var option = Peek;
            (DiceTerm? Term, DiceError? Error) step = option.Kind switch
            {
                TokenKind.Reroll or TokenKind.RerollOnce => ParseReroll(term),
                TokenKind.Bang => ParseExplode(term),
                TokenKind.KeepHighest or TokenKind.KeepLowest or TokenKind.DropHighest or TokenKind.DropLowest => ParseKeep(term),
                TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual => ParseSuccess(term),
                _ => (null, null),
            };
            if (step.Error is not null)
            {
                return (null, step.Error);
            }

            if (step.Term is null)
            {
                return (Syntax(start, term), null);
            }

            term = step.Term;
        }
    }

    private TermSyntax Syntax(Token start, Term term) =>
        new(start.Position, _text[start.Position..Peek.Position].Trim(), term);

    private (int? Value, DiceError? Error) Number(Token after)
    {
        var token = Peek;
        if (token.Kind != TokenKind.Number)
        {
            return (null, Fail($"a number must follow \"{after.Text}\"", token));
        }

        Next();
        return token.Value is null
            ? (null, Fail($"numbers go up to {int.MaxValue.ToString(CultureInfo.InvariantCulture)}", token))
            : (token.Value, null);
    }

    /// <summary>An optional comparison operator then a number; a bare number compares with <paramref name="bare"/>.</summary>
    private (Comparison?, DiceError?) Compare(Token after, CompareOp bare)
    {
        CompareOp? op = Peek.Kind switch
        {
            TokenKind.Less => CompareOp.Less,
            TokenKind.LessOrEqual => CompareOp.LessOrEqual,
            TokenKind.Greater => CompareOp.Greater,
            TokenKind.GreaterOrEqual => CompareOp.GreaterOrEqual,
            _ => null,
        };
        var before = op is null ? after : Next();
        var (value, error) = Number(before);
        return error is not null ? (null, error) : (new Comparison(op ?? bare, value!.Value), null);
    }

    private (DiceTerm?, DiceError?) ParseReroll(DiceTerm term)
    {
        var token = Next();
        if (term.Reroll is not null)
        {
            return (null, Fail("reroll is given twice", token));
        }

        if (term.Fudge)
        {
            return (null, Fail("Fudge dice cannot be rerolled", token));
        }

        var (when, error) = Compare(token, CompareOp.Equal);
        if (error is not null)
        {
            return (null, error);
        }

        var faces = Enumerable.Range(1, term.Sides).Count(when!.Matches);
        if (faces == term.Sides && token.Kind == TokenKind.Reroll)
        {
            return (null, Fail($"\"{token.Text}{when}\" would reroll every face of a d{term.Sides} forever", token));
        }

        if (faces == 0)
        {
            return (null, Fail($"a d{term.Sides} never rolls {when}, so nothing would be rerolled", token));
        }

        return (term with { Reroll = new RerollRule(when, token.Kind == TokenKind.RerollOnce) }, null);
    }

    private (DiceTerm?, DiceError?) ParseExplode(DiceTerm term)
    {
        var token = Next();
        if (term.Explode is not null)
        {
            return (null, Fail("\"!\" is given twice", token));
        }

        if (term.Fudge)
        {
            return (null, Fail("Fudge dice cannot explode", token));
        }

        var when = new Comparison(CompareOp.Equal, term.Sides);
        if (Peek.Kind is TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual or TokenKind.Number)
        {
            var (threshold, error) = Compare(token, CompareOp.Equal);
            if (error is not null)
            {
                return (null, error);
            }

            when = threshold!;
        }

        var faces = Enumerable.Range(1, term.Sides).Count(when.Matches);
        if (faces == term.Sides)
        {
            return (null, Fail($"\"!{when}\" would explode on every face of a d{term.Sides}", token));
        }

        if (faces == 0)
        {
            return (null, Fail($"a d{term.Sides} never rolls {when}, so it could never explode", token));
        }

        return (term with { Explode = when }, null);
    }

    private (DiceTerm?, DiceError?) ParseKeep(DiceTerm term)
    {
        var token = Next();
        if (term.Keep is not null)
        {
            return (null, Fail("keep or drop is given twice", token));
        }

        var (count, error) = Number(token);
        if (error is not null)
        {
            return (null, error);
        }

        var kind = token.Kind switch
        {
            TokenKind.KeepHighest => KeepKind.KeepHighest,
            TokenKind.KeepLowest => KeepKind.KeepLowest,
            TokenKind.DropHighest => KeepKind.DropHighest,
            _ => KeepKind.DropLowest,
        };
        var keeping = kind is KeepKind.KeepHighest or KeepKind.KeepLowest;
        if (count is < 1 || (keeping && count > term.Count) || (!keeping && count >= term.Count))
        {
            var limit = keeping ? $"keep 1 to {term.Count} of {term.Count} dice" : $"drop fewer than the {term.Count} dice rolled";
            return (null, Fail($"\"{token.Text}{count}\": {limit}", token));
        }

        return (term with { Keep = new KeepRule(kind, count!.Value) }, null);
    }

    private (DiceTerm?, DiceError?) ParseSuccess(DiceTerm term)
    {
        var token = Peek;
        if (term.Success is not null)
        {
            return (null, Fail("the success target is given twice", token));
        }

        var (target, error) = Compare(token, CompareOp.GreaterOrEqual);
        return error is not null ? (null, error) : (term with { Success = target }, null);
    }

    /// <summary>Checks the whole formula against the roll's limits.</summary>
    private static (DiceSpec?, DiceError?) Build(string text, IReadOnlyList<TermSyntax> terms, string? label)
    {
        if (terms.Count > DiceSpec.MaxTerms)
        {
            return (null, Error(text, $"a roll can have at most {DiceSpec.MaxTerms} terms, this one has {terms.Count}", terms[DiceSpec.MaxTerms].Position));
        }

        var spec = new DiceSpec(terms.Select(t => t.Term).ToList(), label);
        if (!spec.DiceTerms.Any())
        {
            return (null, Error(text, "roll at least one die, like 1d20", 0));
        }

        if (spec.BaseDice > DiceSpec.MaxDice)
        {
            var over = terms.Select((t, i) => (t, upTo: terms.Take(i + 1).Sum(x => (x.Term as DiceTerm)?.Count ?? 0)))
                .First(x => x.upTo > DiceSpec.MaxDice).t;
            return (null, Error(text, $"a roll can draw at most {DiceSpec.MaxDice} dice, this one asks for {spec.BaseDice} (at {over.Position})", over.Position));
        }

        var (min, max) = spec.Range();
        if (min < int.MinValue || max > int.MaxValue)
        {
            return (null, Error(text, "the total could be too large: totals must fit in 32 bits (up to 2147483647)", 0));
        }

        return (spec, null);
    }
}
