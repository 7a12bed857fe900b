using DiceRoller.Dice;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>A random source that returns the values it was given, in order, and records what was asked.</summary>
public sealed class ScriptedRandom(params int[] values) : IRandomSource
{
    private readonly Queue<int> _values = new(values);

    public List<(int Min, int Max)> Calls { get; } = [];

    public int NextInt(int minInclusive, int maxExclusive)
    {
        Calls.Add((minInclusive, maxExclusive));
        var value = _values.Count > 0 ? _values.Dequeue() : minInclusive;
        Assert.InRange(value, minInclusive, maxExclusive - 1);
        return value;
    }
}
