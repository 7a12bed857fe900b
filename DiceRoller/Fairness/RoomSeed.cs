using System.Security.Cryptography;

namespace DiceRoller.Fairness;

/// <summary>
/// A room's secret server seed: 32 bytes from the OS CSPRNG, published only through its commitment
/// <c>hex(SHA-256(server_seed))</c> until the room closes or the seed is rotated.
/// </summary>
public static class RoomSeed
{
    public const int Length = 32;

    public static byte[] Create() => RandomNumberGenerator.GetBytes(Length);

    /// <summary>Lowercase hex SHA-256 of the seed's bytes.</summary>
    public static string Commitment(ReadOnlySpan<byte> serverSeed) => Convert.ToHexStringLower(SHA256.HashData(serverSeed));

    public static string ToHex(ReadOnlySpan<byte> serverSeed) => Convert.ToHexStringLower(serverSeed);

    /// <summary>
    /// A rules-2 commitment (docs/fairness.md): <c>{hex(SHA-256(server_seed))}.{hidden_root}</c>, the seed's hash and the Merkle
    /// root of its hidden-roll secrets (<see cref="HiddenSecrets"/>), shown together before any client seed is accepted.
    /// </summary>
    public static string Commitment(ReadOnlySpan<byte> serverSeed, string hiddenRoot) => $"{Commitment(serverSeed)}.{hiddenRoot}";

    /// <summary>The rules a commitment's rolls follow: 2 for <c>{seed hash}.{hidden root}</c>, 1 for a bare seed hash (before rules 2).</summary>
    public static int RulesOf(string? commitment) => commitment is not null && commitment.Contains('.', StringComparison.Ordinal) ? 2 : 1;

    /// <summary>The seed-hash part of a commitment (all of a rules-1 one).</summary>
    public static string SeedHashOf(string commitment)
    {
        ArgumentNullException.ThrowIfNull(commitment);
        var dot = commitment.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? commitment : commitment[..dot];
    }

    /// <summary>The hidden-roll root of a rules-2 commitment; null for a rules-1 one.</summary>
    public static string? HiddenRootOf(string? commitment)
    {
        var dot = commitment?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        return dot < 0 ? null : commitment![(dot + 1)..];
    }

    /// <summary>Parses a published seed (64 hex digits); null when it is not one.</summary>
    public static byte[]? FromHex(string? hex)
    {
        if (hex is null || hex.Length != Length * 2 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return Convert.FromHexString(hex);
    }
}
