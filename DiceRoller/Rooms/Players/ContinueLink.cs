using System.Security.Cryptography;
using System.Text;

namespace DiceRoller.Rooms;

/// <summary>
/// A member's private "use on another device" link, <c>/rooms/{CODE}/continue/{token}</c>. The token is
/// derived from the member's cookie secret and a random nonce, so only a device that holds the member's
/// cookie can show it, and a new nonce (renewing) makes every earlier link worthless. The store keeps a
/// seal, <c>{nonce}.{SHA-256 of the token}.{the secret encrypted with a key derived from the token}</c>: enough
/// to check a token and, given the right token, to hand the new device the member's secret; nothing without it.
/// </summary>
public static class ContinueLink
{
    /// <summary>Tokens are 32 random-looking bytes, base64url without padding.</summary>
    public const int TokenLength = 43;

    public static string NewSeal(PlayerCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var token = Token(credential.Secret, nonce);
        var secret = Encoding.UTF8.GetBytes(credential.Secret);
        var key = HKDF.Expand(HashAlgorithmName.SHA256, Base64UrlDecode(token), secret.Length, "continue-seal"u8.ToArray());
        for (var i = 0; i < secret.Length; i++)
        {
            secret[i] ^= key[i];
        }

        return $"{nonce}.{PlayerCredential.Hash(token)}.{Convert.ToHexStringLower(secret)}";
    }

    /// <summary>The member's current token, or null when the seal was not made with this credential's secret.</summary>
    public static string? TokenFor(string? seal, PlayerCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var parts = seal?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        var token = Token(credential.Secret, parts[0]);
        return HashMatches(parts[1], token) ? token : null;
    }

    /// <summary>The member's credential behind <paramref name="token"/>, or null when the token does not open the seal.</summary>
    public static PlayerCredential? Open(string? seal, string playerId, string? token)
    {
        var parts = seal?.Split('.');
        if (parts is not { Length: 3 } || !IsWellFormed(token) || !HashMatches(parts[1], token!))
        {
            return null;
        }

        byte[] secret;
        try
        {
            secret = Convert.FromHexString(parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }

        var key = HKDF.Expand(HashAlgorithmName.SHA256, Base64UrlDecode(token!), secret.Length, "continue-seal"u8.ToArray());
        for (var i = 0; i < secret.Length; i++)
        {
            secret[i] ^= key[i];
        }

        return new PlayerCredential(playerId, Encoding.UTF8.GetString(secret));
    }

    /// <summary>Whether <paramref name="token"/> has a token's shape (43 base64url characters).</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: TokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Token(string secret, string nonce) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("continue:" + nonce)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool HashMatches(string storedHash, string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(storedHash), Encoding.ASCII.GetBytes(PlayerCredential.Hash(token)));

    private static byte[] Base64UrlDecode(string token) =>
        Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=");
}
