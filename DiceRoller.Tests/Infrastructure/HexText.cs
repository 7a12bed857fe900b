using System.Text.RegularExpressions;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// Sets ids and hashes aside before a test looks for a formula that must not be shown: "1d20", "3d10" and "4d6" are also hex
/// digits, and a random roll id or hash holds them now and then.
/// </summary>
public static partial class HexText
{
    public static string SetAside(string html) => Ids().Replace(html, "HEX");

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{12,}")]
    private static partial Regex Ids();
}
