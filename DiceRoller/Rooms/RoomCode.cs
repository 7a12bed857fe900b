using System.Text.RegularExpressions;
using DiceRoller.Dice;

namespace DiceRoller.Rooms;

/// <summary>Room codes look like <c>ALPHA-1234</c>: a word, a dash, four digits.</summary>
public static partial class RoomCode
{
    private static readonly string[] Words =
    [
        "ALPHA", "BRAVO", "CEDAR", "DELTA", "EMBER", "FROST", "GHOST", "HAVEN", "IVORY", "JADE",
        "KNIGHT", "LOTUS", "MAGIC", "NOBLE", "ONYX", "PIXIE", "QUEST", "RAVEN", "SABER", "TITAN",
        "UNDEAD", "VIPER", "WYVERN", "XENON", "YONDER", "ZEPHYR", "DRAGON", "GOBLIN", "ROGUE", "WIZARD",
    ];

    /// <summary>How many codes there are (30 words x 10,000 numbers): room capacity stays at most a tenth of it.</summary>
    public const int Space = 30 * 10_000;

    [GeneratedRegex("^[A-Z]{3,10}-[0-9]{4}$")]
    private static partial Regex Shape();

    internal static int WordCount => Words.Length;

    public static string Generate(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var word = Words[random.NextInt(0, Words.Length)];
        return $"{word}-{random.NextInt(0, 10_000):D4}";
    }

    /// <summary>Upper-cases and trims what a person typed; null if it cannot be a room code.</summary>
    public static string? Normalize(string? text)
    {
        var code = text?.Trim().ToUpperInvariant();
        return code is not null && Shape().IsMatch(code) ? code : null;
    }
}
