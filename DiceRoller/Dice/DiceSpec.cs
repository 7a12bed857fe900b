using System.Globalization;
using System.Text;

namespace DiceRoller.Dice;

public enum Advantage
{
    None,
    Advantage,
    Disadvantage,
}

/// <summary>How a comparison in the notation matches a die (<c>=</c> is written as a bare number, e.g. <c>r1</c>).</summary>
public enum CompareOp
{
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>A die-face test such as <c>&gt;=5</c>, <c>&lt;3</c> or <c>1</c>.</summary>
public sealed record Comparison(CompareOp Op, int Value)
{
    public bool Matches(int face) => Op switch
    {
        CompareOp.Less => face < Value,
        CompareOp.LessOrEqual => face <= Value,
        CompareOp.Greater => face > Value,
        CompareOp.GreaterOrEqual => face >= Value,
        _ => face == Value,
    };

    public override string ToString() => Op switch
    {
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        CompareOp.GreaterOrEqual => ">=",
        _ => "",
    } + Value.ToString(CultureInfo.InvariantCulture);
}

public enum KeepKind
{
    KeepHighest,
    KeepLowest,
    DropHighest,
    DropLowest,
}

/// <summary><c>kh</c>N, <c>kl</c>N, <c>dh</c>N or <c>dl</c>N.</summary>
public sealed record KeepRule(KeepKind Kind, int Count)
{
    /// <summary>How many of <paramref name="rolled"/> dice count.</summary>
    public int Kept(int rolled) => Kind is KeepKind.KeepHighest or KeepKind.KeepLowest ? Math.Min(Count, rolled) : Math.Max(0, rolled - Count);

    public override string ToString() => Kind switch
    {
        KeepKind.KeepHighest => "kh",
        KeepKind.KeepLowest => "kl",
        KeepKind.DropHighest => "dh",
        _ => "dl",
    } + Count.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>r</c> (reroll while the die matches) or <c>ro</c> (reroll once).</summary>
public sealed record RerollRule(Comparison When, bool Once)
{
    public override string ToString() => (Once ? "ro" : "r") + When;
}

/// <summary>One term of a formula: dice or a constant, added or subtracted.</summary>
public abstract record Term(bool Negative)
{
    /// <summary>The canonical notation of the term without its sign (<c>4d6kh3</c>, <c>5</c>).</summary>
    public abstract string Body { get; }
}

public sealed record ConstantTerm(bool Negative, int Value) : Term(Negative)
{
    public override string Body => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>N</c>d<c>X</c> with its options. <see cref="Sides"/> is 2..1000, or 3 with <see cref="Fudge"/> (faces -1, 0, +1).
/// <see cref="Explode"/> null means no explosion; a rule means a die matching it adds another die.
/// <see cref="Success"/> makes the term count the dice meeting the target instead of adding them.
/// </summary>
public sealed record DiceTerm(
    bool Negative,
    int Count,
    int Sides,
    bool Fudge = false,
    RerollRule? Reroll = null,
    Comparison? Explode = null,
    KeepRule? Keep = null,
    Comparison? Success = null) : Term(Negative)
{
    public int MinFace => Fudge ? -1 : 1;

    public int MaxFace => Fudge ? 1 : Sides;

    /// <summary>Turns a draw from <c>NextInt(1, Sides + 1)</c> into the die's face.</summary>
    public int Face(int draw) => Fudge ? draw - 2 : draw;

    /// <summary>A plain single d20, or <c>2d20kh1</c>/<c>2d20kl1</c> (advantage/disadvantage): the roll has a natural d20.</summary>
    public bool IsD20Check =>
        !Fudge && Sides == 20 && Reroll is null && Explode is null && Success is null &&
        ((Count == 1 && Keep is null) || (Count == 2 && Keep is { Count: 1, Kind: KeepKind.KeepHighest or KeepKind.KeepLowest }));

    public override string Body
    {
        get
        {
            var text = new StringBuilder();
            text.Append(Count.ToString(CultureInfo.InvariantCulture)).Append('d');
            text.Append(Fudge ? "F" : Sides.ToString(CultureInfo.InvariantCulture));
            if (Reroll is not null)
            {
                text.Append(Reroll);
            }

            if (Explode is not null)
            {
                text.Append('!');
                if (Explode is not { Op: CompareOp.Equal } || Explode.Value != Sides)
                {
                    text.Append(Explode);
                }
            }

            if (Keep is not null)
            {
                text.Append(Keep);
            }

            if (Success is not null)
            {
                text.Append(Success);
            }

            return text.ToString();
        }
    }
}

/// <summary>
/// A validated formula: its terms in order and an optional label. The engine rolls it; nothing here draws dice.
/// </summary>
public sealed record DiceSpec(IReadOnlyList<Term> Terms, string? Label = null)
{
    public const int MinCount = 1;
    public const int MaxCount = 100;
    public const int MinSides = 2;
    public const int MaxSides = 1000;
    public const int MaxDice = 100;
    public const int MaxTerms = 20;
    public const int MaxFormulaLength = 100;

    /// <summary>
    /// How long a stored formula (a roll's printed <see cref="Notation"/>) may be when it is read back to verify or replay the
    /// roll. Printing spells out abbreviations (<c>d%</c> -> <c>1d100</c>, <c>k1</c> -> <c>kh1</c>) and adds the modifier
    /// field, so a formula typed within <see cref="MaxFormulaLength"/> can print longer (16 x <c>1d%k1</c>: 95 typed,
    /// 143 printed); each of at most <see cref="MaxTerms"/> terms grows by a few characters, far below this bound.
    /// </summary>
    public const int MaxStoredFormulaLength = 4 * MaxFormulaLength;
    public const int MaxLabelLength = 40;
    public const int MinModifier = -10;
    public const int MaxModifier = 20;

    /// <summary>The dice the pad offers as buttons.</summary>
    public static readonly IReadOnlyList<int> AllowedSides = [4, 6, 8, 10, 12, 20, 100];

    /// <summary>The pad's kind of roll: <c>count</c>d<c>sides</c> plus a modifier, with advantage as <c>2d20kh1</c>/<c>2d20kl1</c>.</summary>
    public static DiceSpec Of(int count, int sides, int modifier = 0, Advantage advantage = Advantage.None)
    {
        var dice = advantage == Advantage.None
            ? new DiceTerm(false, count, sides)
            : new DiceTerm(false, 2, sides, Keep: new KeepRule(advantage == Advantage.Advantage ? KeepKind.KeepHighest : KeepKind.KeepLowest, 1));
        return new DiceSpec(modifier == 0 ? [dice] : [dice, new ConstantTerm(modifier < 0, Math.Abs(modifier))]);
    }

    public IEnumerable<DiceTerm> DiceTerms => Terms.OfType<DiceTerm>();

    /// <summary>The canonical notation: <c>parse(Notation)</c> gives back the same terms.</summary>
    public string Notation => Print(Terms);

    /// <summary>
    /// What the feed shows: the notation, except that an advantage roll shows its d20 as <c>1d20</c>
    /// (the advantage is its own field), as the pad's toggle always did.
    /// </summary>
    public string Formula
    {
        get
        {
            if (Advantage == Advantage.None)
            {
                return Notation;
            }

            return Print(Terms.Select(t => t is DiceTerm { IsD20Check: true, Count: 2 } d ? new DiceTerm(d.Negative, 1, 20) : t));
        }
    }

    /// <summary>The roll is a d20 check (one positive d20 kept, any constants): naturals and DCs apply to it.</summary>
    public bool IsD20Check => Terms.OfType<DiceTerm>().Count() == 1 && Terms.OfType<DiceTerm>().Single() is { IsD20Check: true, Negative: false };

    public Advantage Advantage => IsD20Check && DiceTerms.Single() is { Count: 2, Keep: { } keep }
        ? keep.Kind == KeepKind.KeepHighest ? Advantage.Advantage : Advantage.Disadvantage
        : Advantage.None;

    /// <summary>The sum of the constant terms.</summary>
    public int Modifier => (int)Terms.OfType<ConstantTerm>().Sum(c => c.Negative ? -(long)c.Value : c.Value);

    /// <summary>The dice asked for before explosions and rerolls (advantage counts as one d20, like the pad).</summary>
    public int BaseDice => DiceTerms.Sum(d => d.Count);

    /// <summary>The lowest and highest totals this formula can produce (explosions bounded by the dice cap).</summary>
    public (long Min, long Max) Range()
    {
        long min = 0, max = 0;
        var baseDice = BaseDice;
        foreach (var term in Terms)
        {
            var (low, high) = term switch
            {
                ConstantTerm c => ((long)c.Value, (long)c.Value),
                DiceTerm d => TermRange(d, d.Explode is null ? d.Count : MaxDice - (baseDice - d.Count)),
                _ => (0L, 0L),
            };
            if (term.Negative)
            {
                (low, high) = (-high, -low);
            }

            min += low;
            max += high;
        }

        return (min, max);
    }

    private static (long, long) TermRange(DiceTerm d, int maxDrawn)
    {
        if (d.Success is not null)
        {
            return (0, maxDrawn);
        }

        var fewest = d.Keep?.Kept(d.Count) ?? d.Count;
        var most = d.Keep?.Kept(maxDrawn) ?? maxDrawn;
        var low = d.MinFace < 0 ? (long)most * d.MinFace : (long)fewest * d.MinFace;
        return (low, (long)most * d.MaxFace);
    }

    public static string Print(IEnumerable<Term> terms)
    {
        var text = new StringBuilder();
        foreach (var term in terms)
        {
            if (term.Negative)
            {
                text.Append('-');
            }
            else if (text.Length > 0)
            {
                text.Append('+');
            }

            text.Append(term.Body);
        }

        return text.ToString();
    }

    /// <summary>Same terms and label (records compare lists by reference, so this compares them item by item).</summary>
    public bool SameAs(DiceSpec other) => other is not null && Label == other.Label && Terms.SequenceEqual(other.Terms);
}

/// <summary>A parse or validation failure, returned as a value (never thrown). <see cref="Position"/> is the offset in the formula, if any.</summary>
public sealed record DiceError(string Code, string Message, int? Position = null);
