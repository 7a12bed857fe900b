using System.Text.Json.Serialization;

namespace DiceRoller.Dice;

/// <summary>What became of a drawn die.</summary>
public enum DieFate
{
    /// <summary>Counts towards the total.</summary>
    Kept,

    /// <summary>Removed by keep/drop; does not count.</summary>
    Dropped,

    /// <summary>Counts, and rolled its maximum (or the threshold) so another die was added after it.</summary>
    Exploded,

    /// <summary>Replaced by the die drawn right after it; does not count.</summary>
    Rerolled,
}

/// <summary>A drawn die: its face, what became of it, and what it counts for when <c>mi</c>/<c>ma</c> changed that.</summary>
public sealed record RolledDie(int Value, DieFate Fate, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Counted = null)
{
    /// <summary>The value the die adds (its face, or the <c>mi</c>/<c>ma</c> bound).</summary>
    [JsonIgnore]
    public int Worth => Counted ?? Value;
}

/// <summary>
/// One term's result: its notation (with a leading <c>-</c> when subtracted), its dice in draw order, what it adds (its
/// signed value) and its damage type (its own <c>[annotation]</c> or that of the parentheses around it).
/// </summary>
public sealed record TermOutcome(
    string Notation,
    IReadOnlyList<RolledDie> Dice,
    int Subtotal,
    int? Successes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Annotation = null);

/// <summary>The dice that were rolled and what they add up to.</summary>
/// <param name="Results">Every die drawn, in draw order (rerolled, dropped and exploded dice included).</param>
/// <param name="KeptIndex">With advantage or disadvantage, the index in <paramref name="Results"/> of the d20 kept; otherwise null.</param>
/// <param name="Total">The formula's value: the sum of the terms' subtotals, or its arithmetic over them.</param>
/// <param name="Terms">Each term's dice and subtotal.</param>
/// <param name="Successes">For a formula with a success target: how many dice met it; otherwise null.</param>
/// <param name="CapReached">Explosions or rerolls stopped because the roll reached <see cref="DiceSpec.MaxDice"/> dice.</param>
/// <param name="Natural">For a d20 check: the kept d20's face (20 and 1 are criticals); otherwise null.</param>
public sealed record DiceOutcome(
    IReadOnlyList<int> Results,
    int? KeptIndex,
    int Total,
    IReadOnlyList<TermOutcome> Terms,
    int? Successes = null,
    bool CapReached = false,
    int? Natural = null)
{
    /// <summary><c>success</c> on a natural 20, <c>failure</c> on a natural 1, else null (a roll's <c>crit</c>).</summary>
    public static string? CritOf(int? natural) => natural switch
    {
        20 => "success",
        1 => "failure",
        _ => null,
    };
}

/// <summary>
/// Rolls a <see cref="DiceSpec"/> using an injected random source. Pure: no I/O, no clock.
/// <para>Draw order (a seeded, verifiable source must replay exactly this; docs/fairness.md): one
/// <c>NextInt(1, sides + 1)</c> call per die drawn (Fudge dice: <c>NextInt(1, 4)</c>, read as -1, 0, +1). Terms left to
/// right as written (whatever the arithmetic around them); within a term:</para>
/// <list type="number">
/// <item>die by die: the die, then its rerolls (<c>r</c>/<c>rr</c>/<c>ro</c> with a face test, each replacing the one
/// before), then its explosion chain (each added die checked before the next die of the term); dice added by an explosion
/// are not rerolled;</item>
/// <item><c>ro</c> with <c>h</c>/<c>l</c>: the N highest/lowest dice counting so far, in draw order, are rerolled once
/// each, the new dice appended;</item>
/// <item><c>ra</c>: the first die (in draw order) that its selector picks is marked exploded and one die is appended;</item>
/// <item>then, drawing nothing: <c>mi</c> then <c>ma</c> set each counted die's worth, the keep/drop steps run in order,
/// and a success target counts the dice meeting it.</item>
/// </list>
/// <para>Cap: at most <see cref="DiceSpec.MaxDice"/> draws per roll. A reroll, explosion or added die happens only while
/// the draws so far plus the base dice still to draw stay under the cap; otherwise it is skipped and
/// <see cref="DiceOutcome.CapReached"/> is set.</para>
/// <para>Ties: <c>h</c>/<c>l</c> pick among equal faces the earlier die when keeping (kept first) and the later one when
/// dropping or rerolling (dropped last).</para>
/// </summary>
public static class DiceEngine
{
    public static DiceOutcome Roll(DiceSpec spec, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(random);

        var draw = new Draw(random, spec.BaseDice);
        var terms = new List<TermOutcome>(spec.Terms.Count);
        var annotations = GroupAnnotations(spec);
        int? successes = null;
        int? keptIndex = null;
        int? natural = null;

        for (var index = 0; index < spec.Terms.Count; index++)
        {
            var term = spec.Terms[index];
            var annotation = term.Annotation ?? annotations.GetValueOrDefault(index);
            if (term is ConstantTerm constant)
            {
                terms.Add(new TermOutcome(Signed(term), [], constant.Negative ? -constant.Value : constant.Value, Annotation: annotation));
                continue;
            }

            var dice = (DiceTerm)term;
            var firstResult = draw.Results.Count;
            var drawn = RollDice(dice, draw);
            var counted = drawn.Where(d => d.Fate is DieFate.Kept or DieFate.Exploded).ToList();
            int subtotal;
            int? termSuccesses = null;
            if (dice.Success is { } target)
            {
                termSuccesses = counted.Count(d => target.Matches(d.Worth));
                successes = (successes ?? 0) + termSuccesses;
                subtotal = termSuccesses.Value;
            }
            else
            {
                subtotal = checked((int)counted.Sum(d => (long)d.Worth));
            }

            if (dice.Negative)
            {
                subtotal = -subtotal;
            }

            if (spec.IsD20Check)
            {
                var kept = drawn.FindIndex(d => d.Fate == DieFate.Kept);
                natural = drawn[kept].Value;
                keptIndex = dice.Count == 2 ? firstResult + kept : null;
            }

            terms.Add(new TermOutcome(Signed(term), drawn, subtotal, termSuccesses, annotation));
        }

        var total = spec.Tree is null
            ? terms.Sum(t => (long)t.Subtotal)
            : DiceExprs.Evaluate(spec.Tree, i => terms[i].Subtotal) ?? throw new InvalidOperationException("The parser refuses a divisor that can be 0.");
        return new DiceOutcome(draw.Results, keptIndex, checked((int)total), terms, successes, draw.CapReached, natural);
    }

    private static string Signed(Term term) => term.Negative ? "-" + term.Body : term.Body;

    /// <summary>Each term's annotation from the nearest parentheses around it that have one.</summary>
    private static Dictionary<int, string> GroupAnnotations(DiceSpec spec)
    {
        var found = new Dictionary<int, string>();
        if (spec.Tree is not null)
        {
            Visit(spec.Tree, null);
        }

        return found;

        void Visit(DiceExpr expr, string? annotation)
        {
            switch (expr)
            {
                case LeafExpr leaf when annotation is not null:
                    found[leaf.Index] = annotation;
                    break;
                case NegateExpr n:
                    Visit(n.Operand, annotation);
                    break;
                case GroupExpr g:
                    Visit(g.Inner, g.Annotation ?? annotation);
                    break;
                case BinaryExpr b:
                    Visit(b.Left, annotation);
                    Visit(b.Right, annotation);
                    break;
            }
        }
    }

    /// <summary>The draws of one roll and the cap on them.</summary>
    private sealed class Draw(IRandomSource random, int baseDice)
    {
        public List<int> Results { get; } = [];

        public bool CapReached { get; private set; }

        /// <summary>Base dice not drawn yet.</summary>
        public int PendingBase { get; set; } = baseDice;

        public int Die(DiceTerm dice)
        {
            var face = dice.Face(random.NextInt(1, dice.Sides + 1));
            Results.Add(face);
            return face;
        }

        /// <summary>Whether one more die beyond the base dice may be drawn (else the cap is reached).</summary>
        public bool MayAdd()
        {
            if (Results.Count + PendingBase >= DiceSpec.MaxDice)
            {
                CapReached = true;
                return false;
            }

            return true;
        }
    }

    private static List<RolledDie> RollDice(DiceTerm dice, Draw draw)
    {
        var drawn = new List<RolledDie>();
        var faceReroll = dice.Reroll is { When.IsFaceTest: true } ? dice.Reroll : null;
        for (var i = 0; i < dice.Count; i++)
        {
            draw.PendingBase--;
            var face = draw.Die(dice);
            var rerolls = 0;
            while (faceReroll is { } reroll && reroll.When.Matches(face) && !(reroll.Once && rerolls > 0) && draw.MayAdd())
            {
                drawn.Add(new RolledDie(face, DieFate.Rerolled));
                face = draw.Die(dice);
                rerolls++;
            }

            while (dice.Explode is { } explode && explode.Matches(face) && draw.MayAdd())
            {
                drawn.Add(new RolledDie(face, DieFate.Exploded));
                face = draw.Die(dice);
            }

            drawn.Add(new RolledDie(face, DieFate.Kept));
        }

        if (dice.Reroll is { When.IsFaceTest: false } pick)
        {
            foreach (var i in Pick(drawn, pick.When, keeping: false).Order())
            {
                if (!draw.MayAdd())
                {
                    break;
                }

                drawn[i] = drawn[i] with { Fate = DieFate.Rerolled };
                drawn.Add(new RolledDie(draw.Die(dice), DieFate.Kept));
            }
        }

        if (dice.RerollAdd is { } add)
        {
            var first = add.IsFaceTest
                ? drawn.FindIndex(d => d.Fate == DieFate.Kept && add.Matches(d.Value))
                : Pick(drawn, add with { Value = 1 }, keeping: false).DefaultIfEmpty(-1).First();
            if (first >= 0 && draw.MayAdd())
            {
                drawn[first] = drawn[first] with { Fate = DieFate.Exploded };
                drawn.Add(new RolledDie(draw.Die(dice), DieFate.Kept));
            }
        }

        if (dice.Min is not null || dice.Max is not null)
        {
            for (var i = 0; i < drawn.Count; i++)
            {
                var worth = dice.Counted(drawn[i].Value);
                if (worth != drawn[i].Value && drawn[i].Fate is DieFate.Kept or DieFate.Exploded)
                {
                    drawn[i] = drawn[i] with { Counted = worth };
                }
            }
        }

        foreach (var step in dice.Keep ?? new ValueList<KeepRule>([]))
        {
            var picked = step.Select.SelectMany(s => Pick(drawn, s, keeping: !step.Drop)).ToHashSet();
            for (var i = 0; i < drawn.Count; i++)
            {
                if (drawn[i].Fate is DieFate.Kept or DieFate.Exploded && picked.Contains(i) == step.Drop)
                {
                    drawn[i] = drawn[i] with { Fate = DieFate.Dropped };
                }
            }
        }

        return drawn;
    }

    /// <summary>
    /// The indexes of the counted dice a selector picks: a face test picks every matching die; <c>hN</c>/<c>lN</c> the N
    /// highest/lowest by worth, ties to the earlier die when <paramref name="keeping"/>, else to the later one.
    /// </summary>
    private static IEnumerable<int> Pick(List<RolledDie> drawn, Comparison select, bool keeping)
    {
        var candidates = drawn.Select((d, i) => (d.Worth, i)).Where(x => drawn[x.i].Fate is DieFate.Kept or DieFate.Exploded).ToList();
        if (select.IsFaceTest)
        {
            return candidates.Where(x => select.Matches(x.Worth)).Select(x => x.i).ToList();
        }

        var byPosition = keeping ? candidates.OrderBy(x => x.i) : candidates.OrderByDescending(x => x.i);
        var ordered = select.Op == CompareOp.Highest ? byPosition.OrderByDescending(x => x.Worth) : byPosition.OrderBy(x => x.Worth);
        return ordered.Take(select.Value).Select(x => x.i).ToList();
    }
}

/// <summary>The subtotal of each damage type of a roll (its terms' annotations), in the order the types first appear.</summary>
public static class DamageTypes
{
    public static IReadOnlyList<(string Type, int Subtotal)> Of(IReadOnlyList<TermOutcome> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        // Most rolls have no damage type: every render of a roll row asks, so that case allocates nothing.
        if (!HasAnnotation(terms))
        {
            return [];
        }

        return terms.Where(t => t.Annotation is not null)
            .GroupBy(t => t.Annotation!, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(t => t.Subtotal)))
            .ToList();
    }

    private static bool HasAnnotation(IReadOnlyList<TermOutcome> terms)
    {
        for (var i = 0; i < terms.Count; i++)
        {
            if (terms[i].Annotation is not null)
            {
                return true;
            }
        }

        return false;
    }
}
