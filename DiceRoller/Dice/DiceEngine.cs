namespace DiceRoller.Dice;

/// <summary>The dice that were rolled and what they add up to.</summary>
/// <param name="Results">Every die rolled, in order. With advantage or disadvantage: both d20s.</param>
/// <param name="KeptIndex">With advantage or disadvantage, the index in <paramref name="Results"/> of the die kept; otherwise null.</param>
/// <param name="Total">The kept dice plus the modifier.</param>
public sealed record DiceOutcome(IReadOnlyList<int> Results, int? KeptIndex, int Total);

/// <summary>Rolls a <see cref="DiceSpec"/> using an injected random source. Pure: no I/O, no clock.</summary>
public static class DiceEngine
{
    public static DiceOutcome Roll(DiceSpec spec, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(random);

        if (spec.Advantage != Advantage.None)
        {
            var first = random.NextInt(1, spec.Sides + 1);
            var second = random.NextInt(1, spec.Sides + 1);
            var keepFirst = spec.Advantage == Advantage.Advantage ? first >= second : first <= second;
            var kept = keepFirst ? 0 : 1;
            return new DiceOutcome([first, second], kept, (keepFirst ? first : second) + spec.Modifier);
        }

        var results = new int[spec.Count];
        var sum = 0;
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = random.NextInt(1, spec.Sides + 1);
            sum += results[i];
        }

        return new DiceOutcome(results, null, sum + spec.Modifier);
    }
}
