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
