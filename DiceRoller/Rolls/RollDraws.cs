using DiceRoller.Dice;
using DiceRoller.Fairness;

namespace DiceRoller.Rolls;

/// <summary>Where a roll's dice come from: the verifiable seeded stream of the room seed, client seed and nonce (docs/fairness.md).</summary>
public interface IRollDraws
{
    /// <param name="hiddenSecret">A rules-2 hidden roll's secret (lowercase hex), mixed into every block; null for other rolls.</param>
    IRandomSource Open(ReadOnlySpan<byte> serverSeed, string clientSeed, long nonce, string? hiddenSecret = null);
}

/// <summary>The only draw in production: <see cref="SeededRandomSource"/>. The OS CSPRNG makes the seeds, never the dice.</summary>
public sealed class SeededRollDraws : IRollDraws
{
    public IRandomSource Open(ReadOnlySpan<byte> serverSeed, string clientSeed, long nonce, string? hiddenSecret = null) =>
        new SeededRandomSource(serverSeed, clientSeed, nonce, hiddenSecret);
}
