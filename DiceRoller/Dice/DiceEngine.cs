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

public sealed record RolledDie(int Value, DieFate Fate);

/// <summary>One term's result: its notation (with a leading <c>-</c> when subtracted), its dice in draw order, what it adds.</summary>
public sealed record TermOutcome(string Notation, IReadOnlyList<RolledDie> Dice, int Subtotal, int? Successes = null);

/// <summary>The dice that were rolled and what they add up to.</summary>
/// <param name="Results">Every die drawn, in draw order (rerolled, dropped and exploded dice included).</param>
/// <param name="KeptIndex">With advantage or disadvantage, the index in <paramref name="Results"/> of the d20 kept; otherwise null.</param>
/// <param name="Total">The sum of the terms' subtotals.</param>
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
    int? Natural = null);

/// <summary>
/// Rolls a <see cref="DiceSpec"/> using an injected random source. Pure: no I/O, no clock.
/// <para>Draw order (a seeded, verifiable source must replay exactly this): one <c>NextInt(1, sides + 1)</c> call per
/// die drawn (Fudge dice: <c>NextInt(1, 4)</c>, read as -1, 0, +1). Terms left to right; within a term, die by die:
/// the die, then its rerolls (each replacing the one before), then its explosion chain (each added die checked before
/// the next die of the term). Advantage (<c>2d20kh1</c>) is the first d20, then the second. Keep/drop is decided after
/// all of a term's dice are drawn and draws nothing. Dice added by an explosion are not rerolled.</para>
/// <para>Cap: at most <see cref="DiceSpec.MaxDice"/> draws per roll. A reroll or explosion happens only while the
/// draws so far plus the base dice still to draw stay under the cap; otherwise it is skipped and
/// <see cref="DiceOutcome.CapReached"/> is set.</para>
/// </summary>
public static class DiceEngine
{
    public static DiceOutcome Roll(DiceSpec spec, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(random);

        var results = new List<int>();
        var terms = new List<TermOutcome>(spec.Terms.Count);
        var pendingBase = spec.BaseDice;
        var capReached = false;
        long total = 0;
        int? successes = null;
        int? keptIndex = null;
        int? natural = null;

        foreach (var term in spec.Terms)
        {
            if (term is ConstantTerm constant)
            {
                var value = constant.Negative ? -constant.Value : constant.Value;
                terms.Add(new TermOutcome(Signed(term), [], value));
                total += value;
                continue;
            }

            var dice = (DiceTerm)term;
            var firstResult = results.Count;
            var drawn = new List<RolledDie>();
            for (var i = 0; i < dice.Count; i++)
            {
                pendingBase--;
                var face = Draw(dice, random, results);
                var rerolls = 0;
                while (dice.Reroll is { } reroll && reroll.When.Matches(face) && !(reroll.Once && rerolls > 0))
                {
                    if (results.Count + pendingBase >= DiceSpec.MaxDice)
                    {
                        capReached = true;
                        break;
                    }

                    drawn.Add(new RolledDie(face, DieFate.Rerolled));
                    face = Draw(dice, random, results);
                    rerolls++;
                }

                while (dice.Explode is { } explode && explode.Matches(face))
                {
                    if (results.Count + pendingBase >= DiceSpec.MaxDice)
                    {
                        capReached = true;
                        break;
                    }

                    drawn.Add(new RolledDie(face, DieFate.Exploded));
                    face = Draw(dice, random, results);
                }

                drawn.Add(new RolledDie(face, DieFate.Kept));
            }

            ApplyKeep(dice.Keep, drawn);
            var counted = drawn.Where(d => d.Fate is DieFate.Kept or DieFate.Exploded).ToList();
            int subtotal;
            int? termSuccesses = null;
            if (dice.Success is { } target)
            {
                termSuccesses = counted.Count(d => target.Matches(d.Value));
                successes = (successes ?? 0) + termSuccesses;
                subtotal = termSuccesses.Value;
            }
            else
            {
                subtotal = counted.Sum(d => d.Value);
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

            terms.Add(new TermOutcome(Signed(term), drawn, subtotal, termSuccesses));
            total += subtotal;
        }

        return new DiceOutcome(results, keptIndex, checked((int)total), terms, successes, capReached, natural);
    }

    private static string Signed(Term term) => term.Negative ? "-" + term.Body : term.Body;

    private static int Draw(DiceTerm dice, IRandomSource random, List<int> results)
    {
        var face = dice.Face(random.NextInt(1, dice.Sides + 1));
        results.Add(face);
        return face;
    }

    /// <summary>Marks the dice that keep/drop removes. Ties go to the earlier die (kept first, dropped last).</summary>
    private static void ApplyKeep(KeepRule? keep, List<RolledDie> drawn)
    {
        if (keep is null)
        {
            return;
        }

        var candidates = drawn.Select((d, i) => (d, i)).Where(x => x.d.Fate is DieFate.Kept or DieFate.Exploded).ToList();
        var highFirst = candidates.OrderByDescending(x => x.d.Value).ThenBy(x => x.i).ToList();
        var lowFirst = candidates.OrderBy(x => x.d.Value).ThenBy(x => x.i).ToList();
        var keptCount = keep.Kept(candidates.Count);
        var kept = keep.Kind switch
        {
            KeepKind.KeepHighest => highFirst.Take(keptCount),
            KeepKind.KeepLowest => lowFirst.Take(keptCount),
            KeepKind.DropHighest => lowFirst.Take(keptCount),
            _ => highFirst.Take(keptCount),
        };
        var keptSet = kept.Select(x => x.i).ToHashSet();
        foreach (var (d, i) in candidates)
        {
            if (!keptSet.Contains(i))
            {
                drawn[i] = d with { Fate = DieFate.Dropped };
            }
        }
    }
}
