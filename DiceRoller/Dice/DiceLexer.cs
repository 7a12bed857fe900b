namespace DiceRoller.Dice;

public enum TokenKind
{
    Number,
    D,
    Percent,
    Fudge,
    KeepHighest,
    KeepLowest,
    DropHighest,
    DropLowest,
    Bang,
    Reroll,
    RerollOnce,
    Plus,
    Minus,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    End,
}

/// <summary>A token and where it starts in the formula. <see cref="Value"/> is set for numbers (null when too large).</summary>
public readonly record struct Token(TokenKind Kind, int Position, string Text, int? Value = null);

/// <summary>
/// Splits a formula into tokens. Case-insensitive; spaces between tokens are ignored; only ASCII digits are
/// digits. Anything else is an error value naming the character and its position.
/// </summary>
public static class DiceLexer
{
    public static (IReadOnlyList<Token>? Tokens, DiceError? Error) Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c is >= '0' and <= '9')
            {
                while (i < text.Length && text[i] is >= '0' and <= '9')
                {
                    i++;
                }

                var digits = text[start..i];
                int? value = digits.TrimStart('0').Length <= 10 && long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) <= int.MaxValue
                    ? (int)long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture)
                    : null;
                tokens.Add(new Token(TokenKind.Number, start, digits, value));
                continue;
            }

            var next = i + 1 < text.Length ? char.ToLowerInvariant(text[i + 1]) : '\0';
            (TokenKind Kind, int Length)? token = char.ToLowerInvariant(c) switch
            {
                'k' when next == 'h' => (TokenKind.KeepHighest, 2),
                'k' when next == 'l' => (TokenKind.KeepLowest, 2),
                'k' => (TokenKind.KeepHighest, 1),
                'd' when next == 'h' => (TokenKind.DropHighest, 2),
                'd' when next == 'l' => (TokenKind.DropLowest, 2),
                'd' => (TokenKind.D, 1),
                'r' when next == 'o' => (TokenKind.RerollOnce, 2),
                'r' => (TokenKind.Reroll, 1),
                'f' => (TokenKind.Fudge, 1),
                '%' => (TokenKind.Percent, 1),
                '!' => (TokenKind.Bang, 1),
                '+' => (TokenKind.Plus, 1),
                '-' or '\u2212' => (TokenKind.Minus, 1),
                '<' when next == '=' => (TokenKind.LessOrEqual, 2),
                '<' => (TokenKind.Less, 1),
                '>' when next == '=' => (TokenKind.GreaterOrEqual, 2),
                '>' => (TokenKind.Greater, 1),
                _ => null,
            };
            if (token is null)
            {
                return (null, Unexpected(text, c, start));
            }

            tokens.Add(new Token(token.Value.Kind, start, text.Substring(start, token.Value.Length)));
            i += token.Value.Length;
        }

        tokens.Add(new Token(TokenKind.End, text.Length, ""));
        return (tokens, null);
    }

    private static DiceError Unexpected(string text, char c, int position)
    {
        var what = char.IsDigit(c)
            ? $"\"{c}\" is not a digit here: write numbers with the digits 0-9"
            : char.IsSurrogate(c) || char.IsControl(c)
                ? "this character cannot be part of dice notation"
                : $"\"{c}\" cannot be part of dice notation";
        return DiceParser.Error(text, $"{what} (at {position})", position);
    }
}
