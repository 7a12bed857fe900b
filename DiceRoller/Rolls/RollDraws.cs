using DiceRoller.Dice;
using DiceRoller.Fairness;

namespace DiceRoller.Rolls;

/// <summary>Where a roll's dice come from: the verifiable seeded stream of the room seed, client seed and nonce (docs/fairness.md).</summary>
public interface IRollDraws
{
    IRandomSource Open(ReadOnlySpan<byte> serverSeed, string clientSeed, long nonce);
}

/// <summary>The only draw in production: <see cref="SeededRandomSource"/>. The OS CSPRNG makes the seeds, never the dice.</summary>
public sealed class SeededRollDraws : IRollDraws
{
    public IRandomSource Open(ReadOnlySpan<byte> serverSeed, string clientSeed, long nonce) => new SeededRandomSource(serverSeed, clientSeed, nonce);
}
