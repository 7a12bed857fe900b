namespace DiceRoller.Shared;

/// <summary>The possessive of a name in the page's English: "Bob's", and no second 's for "Orc's" or "Bess'".</summary>
public static class Possessive
{
    /// <summary>"Bob's"; a name that ends in an apostrophe-s ("Orc's", "Orc’s") or an apostrophe ("Bess'") stays as it is.</summary>
    public static string Of(string name) => name + Suffix(name);

    /// <summary>What <see cref="Of"/> puts after the name: "'s", or nothing (a template writes the two without a new string).</summary>
    public static string Suffix(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "";
        }

        var last = name[^1];
        return IsApostrophe(last) || (last is 's' or 'S' && name.Length >= 2 && IsApostrophe(name[^2])) ? "" : "'s";
    }

    private static bool IsApostrophe(char c) => c is '\'' or '\u2019';
}
