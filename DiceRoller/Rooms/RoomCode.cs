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

    [GeneratedRegex("^[A-Z]{3,10}-[0-9]{4}$")]
    private static partial Regex Shape();

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
