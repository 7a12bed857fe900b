using System.Security.Cryptography;

namespace DiceRoller.Dice;

/// <summary>Draws from the operating system's CSPRNG (rejection-sampled, so unbiased).</summary>
public sealed class CryptoRandomSource : IRandomSource
{
    public int NextInt(int minInclusive, int maxExclusive) =>
        RandomNumberGenerator.GetInt32(minInclusive, maxExclusive);
}
