namespace DiceRoller.Dice;

/// <summary>The wire names of <see cref="Advantage"/> (<c>none</c>, <c>advantage</c>, <c>disadvantage</c>).</summary>
public static class AdvantageNames
{
    public static string ToWire(this Advantage advantage) => advantage switch
    {
        Advantage.Advantage => "advantage",
        Advantage.Disadvantage => "disadvantage",
        _ => "none",
    };

    public static bool TryParse(string? value, out Advantage advantage)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "none":
                advantage = Advantage.None;
                return true;
            case "advantage":
                advantage = Advantage.Advantage;
                return true;
            case "disadvantage":
                advantage = Advantage.Disadvantage;
                return true;
            default:
                advantage = Advantage.None;
                return false;
        }
    }
}
