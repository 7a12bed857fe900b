using System.Security.Cryptography;
using System.Text;

namespace DiceRoller.Rooms;

/// <summary>
/// What identifies a player to the server: their id (public, shown on the page) and a random secret
/// (only in their HttpOnly cookie). The store keeps just the secret's SHA-256.
/// </summary>
public sealed record PlayerCredential(string PlayerId, string Secret)
{
    public static PlayerCredential New(string playerId) =>
        new(playerId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    public string SecretHash => Hash(Secret);

    public bool Matches(Player player)
    {
        ArgumentNullException.ThrowIfNull(player);
        return player.PlayerId == PlayerId &&
               CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(player.SecretHash), Encoding.ASCII.GetBytes(SecretHash));
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
