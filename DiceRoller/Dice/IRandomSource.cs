namespace DiceRoller.Dice;

/// <summary>
/// The only place dice values come from. Injected everywhere (never static) so that a later
/// verifiable source (a committed room seed) can replace the OS generator without touching the engine.
/// </summary>
public interface IRandomSource
{
    /// <summary>A uniformly distributed integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    int NextInt(int minInclusive, int maxExclusive);
}
