using System.Globalization;
using System.Text;

namespace DiceRoller.Dice;

public enum Advantage
{
    None,
    Advantage,
    Disadvantage,
}

/// <summary>
/// How a selector in the notation picks dice: a face test (<c>=</c> is written as a bare number after <c>r</c>, <c>!</c>,
/// <c>ra</c>; <c>=3</c> after <c>k</c>/<c>p</c>), or the N highest/lowest dice (<c>h3</c>, <c>l1</c>).
/// </summary>
public enum CompareOp
{
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Highest,
    Lowest,
}

/// <summary>A selector such as <c>&gt;=5</c>, <c>&lt;3</c>, <c>1</c>, <c>h3</c> or <c>l1</c>.</summary>
public sealed record Comparison(CompareOp Op, int Value)
{
    /// <summary>A test of one face (not <c>h</c>/<c>l</c>, which pick among dice).</summary>
    public bool IsFaceTest => Op is not (CompareOp.Highest or CompareOp.Lowest);

    public bool Matches(int face) => Op switch
    {
        CompareOp.Less => face < Value,
        CompareOp.LessOrEqual => face <= Value,
        CompareOp.Greater => face > Value,
        CompareOp.GreaterOrEqual => face >= Value,
        CompareOp.Equal => face == Value,
        _ => false,
    };

    public override string ToString() => Text(bareEqual: true);

    /// <summary>The selector's notation; after <c>k</c>/<c>p</c> a bare number means "highest", so equality prints <c>=N</c>.</summary>
    public string Text(bool bareEqual) => Op switch
    {
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        CompareOp.GreaterOrEqual => ">=",
        CompareOp.Highest => "h",
        CompareOp.Lowest => "l",
        _ => bareEqual ? "" : "=",
    } + Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A list compared item by item (records compare lists by reference).</summary>
public sealed class ValueList<T>(IEnumerable<T> items) : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items = [.. items];

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(ValueList<T>? other) => other is not null && _items.SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    public override int GetHashCode() => _items.Aggregate(_items.Length, (h, x) => HashCode.Combine(h, x));
}

/// <summary>
/// One keep (<c>k</c>) or drop (<c>p</c>, <c>dh</c>, <c>dl</c>) step: the dice any of its <see cref="Select"/>ors pick
/// (d20 merges consecutive selectors of one operator: <c>kh1kl1</c> keeps the highest and the lowest) are kept (all
/// others dropped) or dropped. Plain <c>kN</c> is <c>khN</c> and plain <c>pN</c> is <c>plN</c> (Roll20's meaning).
/// </summary>
public sealed record KeepRule(bool Drop, ValueList<Comparison> Select)
{
    public static KeepRule KeepHighest(int n) => new(false, new([new Comparison(CompareOp.Highest, n)]));

    public static KeepRule KeepLowest(int n) => new(false, new([new Comparison(CompareOp.Lowest, n)]));

    public static KeepRule DropHighest(int n) => new(true, new([new Comparison(CompareOp.Highest, n)]));

    public static KeepRule DropLowest(int n) => new(true, new([new Comparison(CompareOp.Lowest, n)]));

    /// <summary>How many of <paramref name="n"/> dice it picks, at fewest and at most (h/l picks of one step nest or meet).</summary>
    public (int Fewest, int Most) Picks(int n)
    {
        if (Select.Any(s => s.IsFaceTest))
        {
            return (0, n);
        }

        var highest = Select.Where(s => s.Op == CompareOp.Highest).Select(s => Math.Min(s.Value, n)).DefaultIfEmpty(0).Max();
        var lowest = Select.Where(s => s.Op == CompareOp.Lowest).Select(s => Math.Min(s.Value, n)).DefaultIfEmpty(0).Max();
        return (Math.Max(highest, lowest), Math.Min(n, highest + lowest));
    }

    /// <summary>How many dice count after this step when <paramref name="low"/> to <paramref name="high"/> counted before it.</summary>
    public (int Low, int High) Counted(int low, int high) => Drop
        ? (low - Picks(low).Most, high - Picks(high).Fewest)
        : (Picks(low).Fewest, Picks(high).Most);

    public override string ToString()
    {
        if (Drop && Select is [{ Op: CompareOp.Highest or CompareOp.Lowest } only])
        {
            return "d" + only.Text(bareEqual: false);
        }

        var op = Drop ? "p" : "k";
        return string.Concat(Select.Select(s => op + s.Text(bareEqual: false)));
    }
}

/// <summary><c>r</c>/<c>rr</c> (reroll while the die matches) or <c>ro</c> (reroll once; with <c>h</c>/<c>l</c>, the N highest/lowest dice).</summary>
public sealed record RerollRule(Comparison When, bool Once)
{
    public override string ToString() => (Once ? "ro" : "r") + When;
}

/// <summary>One term of a formula: dice or a constant, added or subtracted, with an optional annotation (<c>[fire]</c>).</summary>
public abstract record Term(bool Negative)
{
    /// <summary>The canonical notation of the term without its sign or annotation (<c>4d6kh3</c>, <c>5</c>).</summary>
    public abstract string Body { get; }

    /// <summary>The text of its <c>[annotation]</c>s (several are joined by a space), or null.</summary>
    public string? Annotation { get; init; }
}

public sealed record ConstantTerm(bool Negative, int Value) : Term(Negative)
{
    public override string Body => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>N</c>d<c>X</c> with its options. <see cref="Sides"/> is 1..1000, or 3 with <see cref="Fudge"/> (faces -1, 0, +1);
/// <see cref="Count"/> 0..100. <see cref="Explode"/> null means no explosion; a rule means a die matching it adds another
/// die. <see cref="RerollAdd"/> (<c>ra</c>) adds one die after the first die it picks. <see cref="Min"/>/<see cref="Max"/>
/// (<c>mi</c>/<c>ma</c>) raise/lower each die's counted value. <see cref="Keep"/> is the keep/drop steps in order.
/// <see cref="Success"/> makes the term count the dice meeting the target instead of adding them.
/// </summary>
public sealed record DiceTerm(
    bool Negative,
    int Count,
    int Sides,
    bool Fudge = false,
    RerollRule? Reroll = null,
    Comparison? Explode = null,
    ValueList<KeepRule>? Keep = null,
    Comparison? Success = null,
    Comparison? RerollAdd = null,
    int? Min = null,
    int? Max = null) : Term(Negative)
{
    public int MinFace => Fudge ? -1 : 1;

    public int MaxFace => Fudge ? 1 : Sides;

    /// <summary>Turns a draw from <c>NextInt(1, Sides + 1)</c> into the die's face.</summary>
    public int Face(int draw) => Fudge ? draw - 2 : draw;

    /// <summary>What a face counts for after <c>mi</c> then <c>ma</c>.</summary>
    public int Counted(int face)
    {
        var value = Min is int min ? Math.Max(face, min) : face;
        return Max is int max ? Math.Min(value, max) : value;
    }

    /// <summary>A plain single d20, or <c>2d20kh1</c>/<c>2d20kl1</c> (advantage/disadvantage): the roll has a natural d20.</summary>
    public bool IsD20Check =>
        !Fudge && Sides == 20 && Reroll is null && Explode is null && Success is null && RerollAdd is null && Min is null && Max is null &&
        ((Count == 1 && Keep is null) || (Count == 2 && Keep is [{ Drop: false, Select: [{ Op: CompareOp.Highest or CompareOp.Lowest, Value: 1 }] }]));

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
                // The top face is implied by a bare "!", except before a success target: "!>=5" would read as explode on 5+.
                if (Explode is not { Op: CompareOp.Equal } || Explode.Value != Sides || Success is not null)
                {
                    text.Append(Explode);
                }
            }

            if (RerollAdd is not null)
            {
                text.Append("ra").Append(RerollAdd);
            }

            if (Min is int min)
            {
                text.Append("mi").Append(min.ToString(CultureInfo.InvariantCulture));
            }

            if (Max is int max)
            {
                text.Append("ma").Append(max.ToString(CultureInfo.InvariantCulture));
            }

            // Later keep/drop steps apply to what the earlier ones kept: d20 writes them as (4d6kh3)kl1. Several selectors
            // of one step are written one after another (kh1kl1).
            var body = text.ToString();
            if (Keep is { Count: > 0 } keep)
            {
                body += keep[0];
                for (var i = 1; i < keep.Count; i++)
                {
                    // kh3dl1 reads as two steps; kh3kl1 would read as one (its selectors merged), so it is written (..kh3)kl1.
                    body = keep[i].Drop != keep[i - 1].Drop ? body + keep[i] : "(" + body + ")" + keep[i];
                }
            }

            return Success is null ? body : body + Success;
        }
    }
}

/// <summary>
/// A validated formula: its terms (the leaves, left to right), the arithmetic over them (<see cref="Tree"/>; null for a
/// plain sum of the terms, which is every formula from before arithmetic), an optional label and whether it is a critical
/// hit (its dice were doubled, see <see cref="Crit"/>). The engine rolls it; nothing here draws dice.
/// </summary>
public sealed record DiceSpec(IReadOnlyList<Term> Terms, string? Label = null, DiceExpr? Tree = null, bool Critical = false)
{
    public const int MinCount = 1;
    public const int MaxCount = 100;
    public const int MinSides = 1;
    public const int MaxSides = 1000;
    public const int MaxDice = 100;
    public const int MaxTerms = 100;
    public const int MaxFormulaLength = 500;

    /// <summary>How deep parentheses and signs may nest (<c>((1d6))</c> is 2 deep).</summary>
    public const int MaxDepth = 20;

    /// <summary>
    /// How long a stored formula (a roll's printed <see cref="Notation"/>) may be when it is read back to verify or replay the
    /// roll. Printing spells out abbreviations (<c>d%</c> -> <c>1d100</c>, <c>k1</c> -> <c>kh1</c>) and adds the modifier
    /// field, so a formula typed within <see cref="MaxFormulaLength"/> can print longer (16 x <c>1d%k1</c>: 95 typed,
    /// 143 printed); each term grows by a few characters, far below this bound.
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
            : new DiceTerm(false, 2, sides, Keep: new([advantage == Advantage.Advantage ? KeepRule.KeepHighest(1) : KeepRule.KeepLowest(1)]));
        return new DiceSpec(modifier == 0 ? [dice] : [dice, new ConstantTerm(modifier < 0, Math.Abs(modifier))]);
    }

    public IEnumerable<DiceTerm> DiceTerms => Terms.OfType<DiceTerm>();

    /// <summary>The canonical notation: <c>parse(Notation)</c> gives back the same terms and tree.</summary>
    public string Notation => (Tree is null ? Print(Terms) : DiceExprs.Print(Tree, Terms)) + (Critical ? " " + CritSuffix : "");

    /// <summary>The suffix that marks a typed formula as a critical hit: <c>2d6+3 crit</c> rolls <c>4d6+3</c>.</summary>
    public const string CritSuffix = "crit";

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

            return Print(Terms.Select(t => t is DiceTerm { IsD20Check: true, Count: 2 } d ? new DiceTerm(d.Negative, 1, 20) { Annotation = d.Annotation } : t));
        }
    }

    /// <summary>The roll is a d20 check (a plain sum with one positive d20 kept, any constants): naturals and DCs apply to it.</summary>
    public bool IsD20Check => Tree is null && !Critical && DiceTerms.Count() == 1 && DiceTerms.Single() is { IsD20Check: true, Negative: false };

    public Advantage Advantage => IsD20Check && DiceTerms.Single() is { Count: 2, Keep: [{ Select: [var keep] }] }
        ? keep.Op == CompareOp.Highest ? Advantage.Advantage : Advantage.Disadvantage
        : Advantage.None;

    /// <summary>The sum of the constant terms of a plain sum (0 when the formula has other arithmetic).</summary>
    public int Modifier => Tree is not null ? 0 : (int)Terms.OfType<ConstantTerm>().Sum(c => c.Negative ? -(long)c.Value : c.Value);

    /// <summary>The dice asked for before explosions and rerolls (advantage counts as one d20, like the pad).</summary>
    public int BaseDice => DiceTerms.Sum(d => d.Count);

    /// <summary>The lowest and highest totals this formula can produce (explosions bounded by the dice cap).</summary>
    public (long Min, long Max) Range() => Tree is null
        ? Terms.Select((_, i) => TermRange(i)).Aggregate((0L, 0L), (a, r) => (a.Item1 + r.Min, a.Item2 + r.Max))
        : DiceExprs.Range(Tree, TermRange);

    /// <summary>The lowest and highest signed values of <see cref="Terms"/>[<paramref name="index"/>].</summary>
    public (long Min, long Max) TermRange(int index)
    {
        var term = Terms[index];
        var (low, high) = term switch
        {
            ConstantTerm c => ((long)c.Value, (long)c.Value),
            DiceTerm d => DiceRange(d, BaseDice),
            _ => (0L, 0L),
        };
        return term.Negative ? (-high, -low) : (low, high);
    }

    private static (long, long) DiceRange(DiceTerm d, int baseDice)
    {
        // How many dice can count: explosions up to the cap, one more with ra, then each keep/drop step.
        var drawn = d.Explode is null ? d.Count : MaxDice - (baseDice - d.Count);
        // ra with h/l always adds a die, unless the cap stops it.
        var alwaysAdds = d.RerollAdd is { IsFaceTest: false } && baseDice < MaxDice;
        var (fewest, most) = (alwaysAdds ? d.Count + 1 : d.Count, d.RerollAdd is null ? drawn : Math.Max(drawn, d.Count + 1));
        foreach (var rule in d.Keep ?? new ValueList<KeepRule>([]))
        {
            (fewest, most) = rule.Counted(fewest, most);
        }

        if (d.Success is not null)
        {
            return (0, most);
        }

        var (lo, hi) = (d.Counted(d.MinFace), d.Counted(d.MaxFace));
        var low = lo < 0 ? (long)most * lo : (long)fewest * lo;
        var high = hi < 0 ? (long)fewest * hi : (long)most * hi;
        return (low, high);
    }

    public static string Print(IEnumerable<Term> terms)
    {
        var text = new StringBuilder();
        foreach (var term in terms)
        {
            if (!term.Negative && text.Length > 0)
            {
                text.Append('+');
            }

            text.Append(DiceExprs.Leaf(term));
        }

        return text.ToString();
    }

    /// <summary>Same terms, tree, label and crit (records compare lists by reference, so this compares them item by item).</summary>
    public bool SameAs(DiceSpec other) =>
        other is not null && Label == other.Label && Critical == other.Critical && Equals(Tree, other.Tree) && Terms.SequenceEqual(other.Terms);

    /// <summary>
    /// The critical hit of this formula (5e: every dice term rolls twice as many dice; constants stay): <c>2d6+3</c> ->
    /// <c>4d6+3</c>. Null when doubling would pass the <see cref="MaxDice"/> cap or a term's <see cref="MaxCount"/>.
    /// </summary>
    public DiceSpec? Crit()
    {
        if (Critical || BaseDice * 2 > MaxDice || DiceTerms.Any(d => d.Count * 2 > MaxCount))
        {
            return null;
        }

        return this with { Terms = Terms.Select(t => t is DiceTerm d ? d with { Count = d.Count * 2 } : t).ToList(), Critical = true };
    }
}

/// <summary>A parse or validation failure, returned as a value (never thrown). <see cref="Position"/> is the offset in the formula, if any.</summary>
public sealed record DiceError(string Code, string Message, int? Position = null);
