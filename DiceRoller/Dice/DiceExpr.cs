using System.Text;

namespace DiceRoller.Dice;

/// <summary>
/// The shape of a formula with arithmetic or parentheses (<see cref="DiceSpec.Tree"/>): its leaves are the spec's
/// <see cref="DiceSpec.Terms"/> by index, numbered left to right, which is also the order their dice are drawn in.
/// A leaf's sign is the term's own (<c>-5</c> in <c>1d20-5</c>, <c>-1d6</c> in <c>2*-1d6</c>); a minus before anything
/// else is a <see cref="NegateExpr"/> or a <c>-</c> <see cref="BinaryExpr"/>.
/// </summary>
public abstract record DiceExpr;

/// <summary>The term <see cref="DiceSpec.Terms"/>[<see cref="Index"/>].</summary>
public sealed record LeafExpr(int Index) : DiceExpr;

/// <summary><c>-(...)</c>: minus a group.</summary>
public sealed record NegateExpr(DiceExpr Operand) : DiceExpr;

/// <summary><c>(...)</c>, with its optional <c>[annotation]</c> (given to every term inside that has none).</summary>
public sealed record GroupExpr(DiceExpr Inner, string? Annotation = null) : DiceExpr;

/// <summary><c>+</c>, <c>-</c>, <c>*</c> or <c>/</c> (whole-number division rounding down, as d20 does: <c>-7/2</c> is -4).</summary>
public sealed record BinaryExpr(char Op, DiceExpr Left, DiceExpr Right) : DiceExpr;

/// <summary>Prints, evaluates and bounds a <see cref="DiceExpr"/> over its leaves.</summary>
public static class DiceExprs
{
    /// <summary>The formula's text: leaves as their signed notation with annotations, operators without spaces.</summary>
    public static string Print(DiceExpr expr, IReadOnlyList<Term> terms)
    {
        var text = new StringBuilder();
        Print(expr, terms, text, first: true);
        return text.ToString();
    }

    private static void Print(DiceExpr expr, IReadOnlyList<Term> terms, StringBuilder text, bool first)
    {
        switch (expr)
        {
            case LeafExpr leaf:
                text.Append(Leaf(terms[leaf.Index]));
                break;
            case NegateExpr negate:
                text.Append('-');
                Print(negate.Operand, terms, text, first: false);
                break;
            case GroupExpr group:
                text.Append('(');
                Print(group.Inner, terms, text, first: true);
                text.Append(')');
                AppendAnnotation(text, group.Annotation);
                break;
            case BinaryExpr binary:
                Print(binary.Left, terms, text, first);
                // A negative leaf after + prints as "-5" (1d20-5), the way a sum of signed terms always printed.
                if (!(binary.Op == '+' && binary.Right is LeafExpr right && terms[right.Index].Negative))
                {
                    text.Append(binary.Op);
                }

                Print(binary.Right, terms, text, first: false);
                break;
        }
    }

    /// <summary>A term as written in a formula: <c>-2d6kh1[fire]</c>.</summary>
    public static string Leaf(Term term)
    {
        var text = new StringBuilder();
        if (term.Negative)
        {
            text.Append('-');
        }

        text.Append(term.Body);
        AppendAnnotation(text, term.Annotation);
        return text.ToString();
    }

    private static void AppendAnnotation(StringBuilder text, string? annotation)
    {
        if (annotation is not null)
        {
            text.Append('[').Append(annotation).Append(']');
        }
    }

    /// <summary>The value of <paramref name="expr"/> given each leaf's signed value; null on a division by zero.</summary>
    public static long? Evaluate(DiceExpr expr, Func<int, long> leaf) => expr switch
    {
        LeafExpr l => leaf(l.Index),
        NegateExpr n => -Evaluate(n.Operand, leaf),
        GroupExpr g => Evaluate(g.Inner, leaf),
        BinaryExpr b when Evaluate(b.Left, leaf) is long x && Evaluate(b.Right, leaf) is long y => b.Op switch
        {
            '+' => x + y,
            '-' => x - y,
            '*' => x * y,
            _ => y == 0 ? null : FloorDiv(x, y),
        },
        _ => null,
    };

    /// <summary>Whole-number division rounding down (towards minus infinity).</summary>
    public static long FloorDiv(long x, long y)
    {
        var q = x / y;
        return (x % y != 0) && ((x < 0) != (y < 0)) ? q - 1 : q;
    }

    /// <summary>
    /// The lowest and highest values of every node given each leaf's range; <paramref name="visit"/> sees each node's range
    /// (the parser refuses a node that could leave 32 bits, or a divisor that could be 0).
    /// </summary>
    public static (long Min, long Max) Range(DiceExpr expr, Func<int, (long, long)> leaf, Action<DiceExpr, long, long>? visit = null)
    {
        var (min, max) = expr switch
        {
            LeafExpr l => leaf(l.Index),
            NegateExpr n => Negate(Range(n.Operand, leaf, visit)),
            GroupExpr g => Range(g.Inner, leaf, visit),
            BinaryExpr b => Combine(b.Op, Range(b.Left, leaf, visit), Range(b.Right, leaf, visit)),
            _ => (0L, 0L),
        };
        visit?.Invoke(expr, min, max);
        return (min, max);
    }

    private static (long, long) Negate((long Min, long Max) r) => Fits(r) ? (-r.Max, -r.Min) : Unbounded;

    /// <summary>The range of a node whose operand could already leave 32 bits (the parser refuses that operand): unbounded,
    /// so no arithmetic is done on values that could overflow 64 bits (<c>long.MinValue / -1</c> throws).</summary>
    private static readonly (long, long) Unbounded = (long.MinValue, long.MaxValue);

    private static bool Fits((long Min, long Max) r) => r.Min >= int.MinValue && r.Max <= int.MaxValue;

    private static (long, long) Combine(char op, (long Min, long Max) a, (long Min, long Max) b)
    {
        if (!Fits(a) || !Fits(b))
        {
            return Unbounded;
        }

        if (op == '+')
        {
            return (a.Min + b.Min, a.Max + b.Max);
        }

        if (op == '-')
        {
            return (a.Min - b.Max, a.Max - b.Min);
        }

        // Both operands fit in 32 bits (checked node by node), so the corners fit in 64. Floor division is monotone in each
        // operand on a divisor range that does not contain 0, so the extremes are at the corners too.
        if (op == '/' && b.Min <= 0 && b.Max >= 0)
        {
            return (long.MinValue, long.MaxValue);
        }

        long[] corners = op == '*'
            ? [a.Min * b.Min, a.Min * b.Max, a.Max * b.Min, a.Max * b.Max]
            : [FloorDiv(a.Min, b.Min), FloorDiv(a.Min, b.Max), FloorDiv(a.Max, b.Min), FloorDiv(a.Max, b.Max)];
        return (corners.Min(), corners.Max());
    }

    /// <summary>The nodes of <paramref name="expr"/>, parents first.</summary>
    public static IEnumerable<DiceExpr> Nodes(DiceExpr expr)
    {
        yield return expr;
        var children = expr switch
        {
            NegateExpr n => [n.Operand],
            GroupExpr g => [g.Inner],
            BinaryExpr b => [b.Left, b.Right],
            _ => Array.Empty<DiceExpr>(),
        };
        foreach (var child in children)
        {
            foreach (var node in Nodes(child))
            {
                yield return node;
            }
        }
    }
}
