using System.Globalization;
using DiceRoller.Dice;
using DiceRoller.Rooms;

namespace DiceRoller.Rolls;

/// <summary>
/// The one short sentence a screen reader says when a roll arrives live ("Bob rolled 17 on 1d20+3, passes DC 15").
/// Rendered per viewer into the row's <c>data-announce</c>: a hidden roll's values only for those who may see them.
/// </summary>
public static class RollAnnouncement
{
    public static string For(RollEntryModel entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var roll = entry.Roll;
        if (!entry.ShowValues)
        {
            return $"{roll.PlayerName} rolled a hidden {roll.DiceFormula}";
        }

        var total = roll.Total.ToString(CultureInfo.InvariantCulture);
        var advantage = roll.Advantage switch
        {
            Advantage.Advantage => " with advantage",
            Advantage.Disadvantage => " with disadvantage",
            _ => "",
        };
        var dc = roll.DcCheck is { } check
            ? $", {(check.Passed ? "passes" : "fails")} DC {check.Dc.ToString(CultureInfo.InvariantCulture)}"
            : "";
        var sentence = roll switch
        {
            { Hidden: true, Revealed: true } => $"{roll.PlayerName}'s hidden roll is revealed: {total} on {roll.DiceFormula}",
            { Hidden: true } => $"{roll.PlayerName} rolled a hidden {total} on {roll.DiceFormula}",
            _ => $"{roll.PlayerName} rolled {total} on {roll.DiceFormula}",
        };
        return sentence + advantage + dc;
    }
}
