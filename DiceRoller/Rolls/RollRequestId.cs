using System.Buffers.Text;
using System.Security.Cryptography;

namespace DiceRoller.Rolls;

/// <summary>
/// The one-time id a roll form carries (<c>request_id</c>): any 1 to 64 characters of <c>[A-Za-z0-9_-]</c>. The server
/// answers every repeat of an id with the roll the first request made, so a retry or a double tap never rolls twice.
/// </summary>
public static class RollRequestId
{
    public const int MaxLength = 64;

    /// <summary>A fresh id for the next roll: 128 random bits, URL-safe base64 (22 characters).</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Reads the form's field: true with <paramref name="id"/> null when none was sent (older pages roll without one),
    /// true with the id when it is well-formed, false when it is not.
    /// </summary>
    public static bool TryRead(string? text, out string? id)
    {
        id = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (text.Length > MaxLength || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            return false;
        }

        id = text;
        return true;
    }
}
