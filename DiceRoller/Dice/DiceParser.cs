using System.Globalization;

namespace DiceRoller.Dice;

/// <summary>
/// The dice language's recursive-descent parser, read character by character (so that text after a complete formula can
/// be its label: <c>8d6 fire</c> is 8d6 labelled "fire"). Every failure is a <see cref="DiceError"/> that says where
/// (counted from 1) and what was expected. Pure: no I/O, never throws on input; linear in the formula's length.
/// <code>
/// formula  := sum [ws+ ("crit" [ws label] | label) | "#" label]
/// sum      := product (("+" | "-") product)*
/// product  := unary (("*" | "/") unary)*
/// unary    := ("+" | "-") unary | atom annotation*
/// atom     := NUMBER | dice | "(" sum ")" keep*        keep after ")" only around a single dice term
/// dice     := [NUMBER] "d" (NUMBER | "%" | "F") option*     (no spaces inside a dice term)
/// option   := ("r" | "rr") face | "ro" select | "ra" select
///           | ("!" | "e") [face] | "mi" NUMBER | "ma" NUMBER
///           | keep | ("&lt;" | "&lt;=" | "&gt;" | "&gt;=") NUMBER   count successes
/// keep     := "k" select | "p" select | "dh" NUMBER | "dl" NUMBER       kN = khN, pN = plN
/// select   := face | ("h" | "l") NUMBER
/// face     := ["&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "="] NUMBER
/// annotation := "[" text "]"
/// </code>
/// Spaces are allowed between numbers, operators, parentheses and annotations.
/// </summary>
public sealed class DiceParser
{
    public const string Examples = "For example: 1d20+5, 4d6kh3, 2d6+1d4+3 or 8d6 [fire] fireball.";

    private readonly string _text;
    private readonly bool _stored;
    private readonly List<Term> _terms = [];
    private readonly List<int> _termStarts = [];
    private int _i;
    private int _depth;

    private DiceParser(string text, bool stored)
    {
        _text = text;
        _stored = stored;
    }

    /// <summary>Parses a formula (with an optional free-text or <c>#</c> label) into a spec, or an error value.</summary>
    /// <param name="maxLength">The longest formula accepted: what a person may type, unless a stored formula is read back
    /// (<see cref="DiceSpec.MaxStoredFormulaLength"/>).</param>
    /// <param name="label">A label given apart from the formula (used when the formula has none).</param>
    public static (DiceSpec? Spec, DiceError? Error) Parse(string? formula, string? label = null, int maxLength = DiceSpec.MaxFormulaLength) =>
        Parse(formula, label, maxLength, stored: maxLength > DiceSpec.MaxFormulaLength);

    internal static (DiceSpec? Spec, DiceError? Error) Parse(string? formula, string? label, int maxLength, bool stored)
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

        var parser = new DiceParser(text, stored);
        try
        {
            return parser.ParseFormula(label);
        }
        catch (ParseFailure failure)
        {
            return (null, failure.Error);
        }
    }

    internal static DiceError Error(string text, string what, int position)
    {
        var shown = text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "\u2026");
        return new DiceError(DiceNotation.InvalidDiceFormat, $"\"{shown.Trim()}\": {what}. {Examples}", position);
    }

    /// <summary>"at character 5" for a 0-based offset, counted from 1 as people count.</summary>
    internal static string At(int position) => $"at character {(position + 1).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Unwinds the descent on the first error; caught in <see cref="Parse(string?, string?, int, bool)"/>, never escapes.</summary>
    private sealed class ParseFailure(DiceError error) : Exception(error.Message)
    {
        public DiceError Error { get; } = error;
    }

    private ParseFailure Fail(string what, int at) => new(Error(_text, $"{what} ({At(at)})", at));

    private char Peek(int ahead = 0) => _i + ahead < _text.Length ? char.ToLowerInvariant(_text[_i + ahead]) : '\0';

    private bool SkipSpaces()
    {
        var start = _i;
        while (_i < _text.Length && char.IsWhiteSpace(_text[_i]))
        {
            _i++;
        }

        return _i > start;
    }

    private static bool IsMinus(char c) => c is '-' or '\u2212';

    private (DiceSpec?, DiceError?) ParseFormula(string? label)
    {
        SkipSpaces();
        var tree = ParseSum();
        var critical = false;
        if (_i < _text.Length)
        {
            var rest = _text[_i..];
            if (rest.StartsWith('#'))
            {
                label = rest[1..];
            }
            else if (_depth == 0 && char.IsLetter(rest[0]) && char.IsWhiteSpace(_text[_i - 1]))
            {
                // Free text after a complete formula is its label (Avrae's comments); a first word "crit" marks a critical hit.
                var word = rest.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
                if (string.Equals(word[0], DiceSpec.CritSuffix, StringComparison.OrdinalIgnoreCase))
                {
                    critical = true;
                    rest = word.Length > 1 ? word[1].TrimStart('#') : "";
                }

                label = rest.Length == 0 ? label : rest;
            }
            else
            {
                throw Unexpected(what: "an operator (+ - * /) or the end of the formula");
            }
        }

        return Build(tree, label, critical);
    }

    private DiceExpr ParseSum()
    {
        var left = ParseProduct();
        while (true)
        {
            SkipSpaces();
            var c = Peek();
            if (c != '+' && !IsMinus(_text.Length > _i ? _text[_i] : '\0'))
            {
                return left;
            }

            var op = c == '+' ? '+' : '-';
            _i++;
            SkipSpaces();
            var right = ParseProduct();
            if (right is LeafExpr leaf && op == '-')
            {
                // 1d20-5: a subtracted term is a negative term, as formulas always recorded it.
                _terms[leaf.Index] = _terms[leaf.Index] with { Negative = !_terms[leaf.Index].Negative };
                op = '+';
            }

            left = new BinaryExpr(op, left, right);
        }
    }

    private DiceExpr ParseProduct()
    {
        var left = ParseUnary();
        while (true)
        {
            SkipSpaces();
            var c = Peek();
            if (c is not ('*' or '/' or '\u00d7'))
            {
                return left;
            }

            _i++;
            SkipSpaces();
            left = new BinaryExpr(c == '/' ? '/' : '*', left, ParseUnary());
        }
    }

    private DiceExpr ParseUnary()
    {
        var c = _i < _text.Length ? _text[_i] : '\0';
        if (c == '+' || IsMinus(c))
        {
            var at = _i;
            _i++;
            SkipSpaces();
            Enter(at);
            var operand = ParseUnary();
            _depth--;
            if (c == '+')
            {
                return operand;
            }

            if (operand is LeafExpr leaf)
            {
                _terms[leaf.Index] = _terms[leaf.Index] with { Negative = !_terms[leaf.Index].Negative };
                return leaf;
            }

            return operand is NegateExpr twice ? twice.Operand : new NegateExpr(operand);
        }

        var atom = ParseAtom();
        return ParseAnnotations(atom);
    }

    private void Enter(int at)
    {
        if (++_depth > DiceSpec.MaxDepth)
        {
            throw Fail($"parentheses and signs can nest at most {DiceSpec.MaxDepth} deep", at);
        }
    }

    private DiceExpr ParseAnnotations(DiceExpr atom)
    {
        while (true)
        {
            var save = _i;
            SkipSpaces();
            if (Peek() != '[')
            {
                _i = save;
                return atom;
            }

            var open = _i;
            var close = _text.IndexOf(']', open + 1);
            if (close < 0)
            {
                throw Fail("an annotation like [fire] needs its closing ]", open);
            }

            var annotation = _text[(open + 1)..close].Trim();
            if (annotation.Length == 0 || annotation.Length > DiceSpec.MaxLabelLength || annotation.Contains('[', StringComparison.Ordinal) ||
                annotation.Any(ch => char.IsControl(ch) || ch is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')))
            {
                throw Fail($"an annotation is 1 to {DiceSpec.MaxLabelLength} characters of plain text between [ and ], like [fire]", open);
            }

            _i = close + 1;
            atom = Annotate(atom, annotation);
        }
    }

    private DiceExpr Annotate(DiceExpr atom, string annotation)
    {
        switch (atom)
        {
            case LeafExpr leaf:
                var term = _terms[leaf.Index];
                _terms[leaf.Index] = term with { Annotation = term.Annotation is null ? annotation : term.Annotation + " " + annotation };
                return leaf;
            case GroupExpr group:
                return group with { Annotation = group.Annotation is null ? annotation : group.Annotation + " " + annotation };
            default:
                return atom;
        }
    }

    private DiceExpr ParseAtom()
    {
        var start = _i;
        var c = Peek();
        if (c == '(')
        {
            Enter(start);
            _i++;
            SkipSpaces();
            var inner = ParseSum();
            SkipSpaces();
            if (Peek() != ')')
            {
                throw Unexpected(what: "a closing )", opened: start);
            }

            _i++;
            _depth--;
            if ((Peek() is 'k' or 'p' || (Peek() == 'd' && Peek(1) is 'h' or 'l')) && SingleDice(inner) is { } leaf)
            {
                // (4d6kh3)kl1: keep/drop on what the term inside kept; d20's set operators on a single dice term.
                var term = (DiceTerm)_terms[leaf.Index];
                _terms[leaf.Index] = ParseOptions(term with { Keep = new([.. term.Keep ?? new([]), new KeepRule(false, new([]))]) }, newStep: true);
                return leaf;
            }

            return new GroupExpr(inner);
        }

        int? count = null;
        if (c is >= '0' and <= '9')
        {
            var number = Number("a number");
            if (Peek() != 'd')
            {
                return AddTerm(new ConstantTerm(false, number), start);
            }

            if (number is < 0 or > DiceSpec.MaxCount)
            {
                throw Fail($"roll 0 to {DiceSpec.MaxCount} dice in a term, not {number}", start);
            }

            count = number;
        }
        else if (c != 'd')
        {
            throw c == '\0' ? Fail("a die or a number must follow", _i) : Unexpected(what: "a die like d20, a number or (");
        }

        var d = _i;
        _i++;
        int sides;
        var fudge = false;
        switch (Peek())
        {
            case >= '0' and <= '9':
                var sidesAt = _i;
                sides = Number("the number of faces");
                if (sides is < DiceSpec.MinSides or > DiceSpec.MaxSides)
                {
                    throw Fail($"dice have {DiceSpec.MinSides} to {DiceSpec.MaxSides} faces, not {_text[sidesAt.._i]}", sidesAt);
                }

                break;
            case '%':
                _i++;
                sides = 100;
                break;
            case 'f':
                _i++;
                sides = 3;
                fudge = true;
                break;
            default:
                throw Fail($"the number of faces must follow \"{_text[d]}\", like d20", _i);
        }

        return AddTerm(ParseOptions(new DiceTerm(false, count ?? 1, sides, fudge), newStep: false), start);
    }

    private LeafExpr? SingleDice(DiceExpr inner) => inner switch
    {
        GroupExpr { Annotation: null } g => SingleDice(g.Inner),
        LeafExpr leaf when _terms[leaf.Index] is DiceTerm { Annotation: null } => leaf,
        _ => null,
    };

    private LeafExpr AddTerm(Term term, int start)
    {
        if (_terms.Count >= DiceSpec.MaxTerms)
        {
            throw Fail($"a roll can have at most {DiceSpec.MaxTerms} terms", start);
        }

        _terms.Add(term);
        _termStarts.Add(start);
        return new LeafExpr(_terms.Count - 1);
    }

    private int Number(string what)
    {
        var start = _i;
        while (Peek() is >= '0' and <= '9')
        {
            _i++;
        }

        if (_i == start)
        {
            throw Fail($"expected {what}", _i);
        }

        var digits = _text[start.._i];
        if (digits.TrimStart('0').Length > 10 || long.Parse(digits, CultureInfo.InvariantCulture) > int.MaxValue)
        {
            throw Fail($"numbers go up to {int.MaxValue.ToString(CultureInfo.InvariantCulture)}", start);
        }

        return int.Parse(digits, CultureInfo.InvariantCulture);
    }

    /// <summary>The operator's letters as written (<c>kh</c>, <c>ro</c>), for messages.</summary>
    private string Written(int start) => _text[start.._i];

    /// <summary>An optional comparison then a number; a bare number compares with <paramref name="bare"/>.</summary>
    private Comparison Select(int opStart, CompareOp bare, bool highLow)
    {
        var c = Peek();
        CompareOp? op = c switch
        {
            '<' when Peek(1) == '=' => CompareOp.LessOrEqual,
            '<' => CompareOp.Less,
            '>' when Peek(1) == '=' => CompareOp.GreaterOrEqual,
            '>' => CompareOp.Greater,
            '=' => CompareOp.Equal,
            'h' when highLow => CompareOp.Highest,
            'l' when highLow => CompareOp.Lowest,
            _ => null,
        };
        if (op is CompareOp.LessOrEqual or CompareOp.GreaterOrEqual)
        {
            _i += 2;
        }
        else if (op is not null)
        {
            _i++;
        }

        var value = NumberAfter(opStart);
        return new Comparison(op ?? bare, value);
    }

    private int NumberAfter(int opStart)
    {
        if (Peek() is not (>= '0' and <= '9'))
        {
            if (_i < _text.Length && char.IsDigit(_text[_i]))
            {
                throw Fail($"\"{_text[_i]}\" is not a digit here: write numbers with the digits 0-9", _i);
            }

            throw Fail($"a number must follow \"{_text[opStart.._i]}\"", _i);
        }

        return Number("a number");
    }

    private bool IsCompare => Peek() is '<' or '>' || (Peek() == '=' && Peek(1) is >= '0' and <= '9');

    /// <summary>The options written right after a die (no spaces). <paramref name="newStep"/>: a keep after ")" starts a step.</summary>
    private DiceTerm ParseOptions(DiceTerm term, bool newStep)
    {
        // The keep/drop operator of the step being written (k or p), so that kh1kl1 is one step and kh3p1 two.
        char? step = newStep ? '\0' : null;
        while (true)
        {
            var at = _i;
            var c = Peek();
            var next = Peek(1);
            switch (c)
            {
                case 'k':
                case 'p':
                case 'd' when next is 'h' or 'l':
                    _i++;
                    var drop = c != 'k';
                    var select = Select(at, c == 'p' ? CompareOp.Lowest : CompareOp.Highest, highLow: true);
                    term = AddKeep(term, drop, select, step, at);
                    step = c == 'k' ? 'k' : 'p';
                    continue;
                case 'r' when next == 'a':
                    _i += 2;
                    term = SetRerollAdd(term, Select(at, CompareOp.Equal, highLow: true), at);
                    break;
                case 'r':
                    var once = next == 'o';
                    _i += next is 'o' or 'r' ? 2 : 1;
                    term = SetReroll(term, Select(at, CompareOp.Equal, highLow: once), once, at);
                    break;
                case '!':
                case 'e':
                    _i++;
                    term = SetExplode(term, at);
                    break;
                case 'm' when next is 'i' or 'a':
                    _i += 2;
                    var bound = NumberAfter(at);
                    term = SetBound(term, next == 'i', bound, at);
                    break;
                default:
                    if (IsCompare)
                    {
                        if (term.Success is not null)
                        {
                            throw Fail("the success target is given twice", at);
                        }

                        var target = Select(at, CompareOp.GreaterOrEqual, highLow: false);
                        term = term with { Success = target };
                        break;
                    }

                    if (char.IsLetter(_text.Length > _i ? _text[_i] : ' '))
                    {
                        throw Fail($"\"{_text[_i]}\" is not a dice option (k, p, r, rr, ro, ra, e, !, mi, ma); to label a roll, put a space before the label: {_text[..at].Trim()} {_text[at..].Trim()}", at);
                    }

                    return term;
            }

            step = null;
        }
    }

    private DiceTerm AddKeep(DiceTerm term, bool drop, Comparison select, char? step, int at)
    {
        var steps = term.Keep?.ToList() ?? [];
        var op = drop ? 'p' : 'k';
        if (step == '\0' && steps.Count > 0 && steps[^1].Select.Count == 0)
        {
            steps[^1] = new KeepRule(drop, new([select]));
        }
        else if (step == op && steps.Count > 0)
        {
            steps[^1] = steps[^1] with { Select = new([.. steps[^1].Select, select]) };
        }
        else
        {
            steps.Add(new KeepRule(drop, new([select])));
        }

        // A single step's h/l counts are checked against the dice rolled, as before: keep 1..N, drop fewer than N.
        if (!select.IsFaceTest && steps.Count == 1)
        {
            var keeping = !drop;
            if (select.Value < 1 || (keeping && select.Value > term.Count) || (!keeping && select.Value >= term.Count))
            {
                var limit = keeping ? $"keep 1 to {term.Count} of {term.Count} dice" : $"drop fewer than the {term.Count} dice rolled";
                throw Fail($"\"{Written(at)}\": {limit}", at);
            }
        }

        return term with { Keep = new(steps) };
    }

    private DiceTerm SetReroll(DiceTerm term, Comparison when, bool once, int at)
    {
        if (term.Reroll is not null)
        {
            throw Fail("reroll is given twice", at);
        }

        if (term.Fudge)
        {
            throw Fail("Fudge dice cannot be rerolled", at);
        }

        if (when.IsFaceTest)
        {
            var faces = Enumerable.Range(1, term.Sides).Count(when.Matches);
            if (faces == term.Sides && !once)
            {
                throw Fail($"\"{Written(at)}\" would reroll every face of a d{term.Sides} forever", at);
            }

            if (faces == 0)
            {
                throw Fail($"a d{term.Sides} never rolls {when}, so nothing would be rerolled", at);
            }
        }
        else if (when.Value < 1)
        {
            throw Fail($"\"{Written(at)}\": reroll 1 or more of the dice", at);
        }

        return term with { Reroll = new RerollRule(when, once) };
    }

    private DiceTerm SetRerollAdd(DiceTerm term, Comparison when, int at)
    {
        if (term.RerollAdd is not null)
        {
            throw Fail("\"ra\" is given twice", at);
        }

        if (term.Fudge)
        {
            throw Fail("Fudge dice cannot add dice", at);
        }

        if (when.IsFaceTest ? !Enumerable.Range(1, term.Sides).Any(when.Matches) : when.Value < 1)
        {
            throw Fail($"a d{term.Sides} never rolls {when}, so no die would be added", at);
        }

        return term with { RerollAdd = when };
    }

    private DiceTerm SetExplode(DiceTerm term, int at)
    {
        if (term.Explode is not null)
        {
            throw Fail($"\"{_text[at]}\" (explode) is given twice", at);
        }

        if (term.Fudge)
        {
            throw Fail("Fudge dice cannot explode", at);
        }

        var when = new Comparison(CompareOp.Equal, term.Sides);
        if (Peek() is '<' or '>' or '=' or (>= '0' and <= '9'))
        {
            when = Select(at, CompareOp.Equal, highLow: false);
        }

        var faces = Enumerable.Range(1, term.Sides).Count(when.Matches);
        if (faces == term.Sides)
        {
            throw Fail($"\"{Written(at)}\" would explode on every face of a d{term.Sides}", at);
        }

        if (faces == 0)
        {
            throw Fail($"a d{term.Sides} never rolls {when}, so it could never explode", at);
        }

        return term with { Explode = when };
    }

    private DiceTerm SetBound(DiceTerm term, bool min, int bound, int at)
    {
        if (min ? term.Min is not null : term.Max is not null)
        {
            throw Fail($"\"{(min ? "mi" : "ma")}\" is given twice", at);
        }

        if (term.Fudge)
        {
            throw Fail("Fudge dice take no minimum or maximum", at);
        }

        return min ? term with { Min = bound } : term with { Max = bound };
    }

    private ParseFailure Unexpected(string what, int? opened = null)
    {
        var at = _i;
        if (at >= _text.Length)
        {
            return opened is int o ? Fail($"the ( {At(o)} is never closed: add a )", at) : Fail($"expected {what}", at);
        }

        var c = _text[at];
        if (char.IsDigit(c) && c is not (>= '0' and <= '9'))
        {
            return Fail($"\"{c}\" is not a digit here: write numbers with the digits 0-9", at);
        }

        if (char.IsSurrogate(c) || char.IsControl(c))
        {
            return Fail("this character cannot be part of dice notation", at);
        }

        var hint = c == ')' ? "; this ) closes nothing"
            : char.IsLetter(c) && opened is null ? $"; to label the roll, put a space before the text: {_text[..at].TrimEnd()} {_text[at..]}"
            : c is >= '0' and <= '9' ? "; put an operator between numbers, like 1d20+2"
            : "";
        return Fail($"expected {what}, found \"{c}\"{hint}", at);
    }

    /// <summary>Checks the whole formula against the roll's limits.</summary>
    private (DiceSpec?, DiceError?) Build(DiceExpr tree, string? label, bool critical)
    {
        // A plain sum of terms keeps no tree: it rolls and records exactly as formulas did before arithmetic.
        var plainSum = DiceExprs.Nodes(tree).All(n => n is LeafExpr or BinaryExpr { Op: '+' });
        var spec = new DiceSpec(_terms.ToList(), label, plainSum ? null : tree);
        if (spec.BaseDice > DiceSpec.MaxDice)
        {
            var upTo = 0;
            var over = 0;
            for (var t = 0; t < _terms.Count; t++)
            {
                upTo += (_terms[t] as DiceTerm)?.Count ?? 0;
                if (upTo > DiceSpec.MaxDice)
                {
                    over = _termStarts[t];
                    break;
                }
            }

            return (null, Error(_text, $"a roll can draw at most {DiceSpec.MaxDice} dice, this one asks for {spec.BaseDice} ({At(over)})", over));
        }

        if (critical && !_stored)
        {
            var doubled = spec.Crit();
            if (doubled is null)
            {
                return (null, Error(_text, $"a critical hit doubles the dice, and {spec.BaseDice * 2} would pass the {DiceSpec.MaxDice}-dice limit", 0));
            }

            spec = doubled;
        }

        string? problem = null;
        spec = spec with { Critical = critical };
        var (min, max) = spec.Tree is null ? spec.Range() : DiceExprs.Range(spec.Tree, spec.TermRange, (node, low, high) =>
        {
            if (problem is null && node is BinaryExpr { Op: '/' } division && DiceExprs.Range(division.Right, spec.TermRange) is var (dl, dh) && dl <= 0 && dh >= 0)
            {
                problem = "a divisor could be 0: divide by a number or dice that cannot make 0";
            }
            else if (problem is null && (low < int.MinValue || high > int.MaxValue))
            {
                problem = "the total could be too large: totals must fit in 32 bits (up to 2147483647)";
            }
        });
        if (problem is not null || min < int.MinValue || max > int.MaxValue)
        {
            return (null, Error(_text, problem ?? "the total could be too large: totals must fit in 32 bits (up to 2147483647)", 0));
        }

        return (spec, null);
    }
}
