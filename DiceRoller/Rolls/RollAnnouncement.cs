using System.Globalization;
using DiceRoller.Dice;
using DiceRoller.Rooms;

namespace DiceRoller.Rolls;

/// <summary>
/// The one short sentence a screen reader says when a roll arrives live
/// ("Bob rolled 14 for Longsword damage: 2d6+3, dice 5 and 6"). Rendered per viewer into the row's
/// <c>data-announce</c>: a hidden roll's values (and its label) only for those who may see them.
/// </summary>
public static class RollAnnouncement
{
    public static string For(RollEntryModel entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var roll = entry.Roll;
        if (!entry.ShowValues)
        {
            return $"{roll.PlayerName} rolled in secret";
        }

        var details = Details(roll.Total, roll.Label, roll.DiceFormula, roll.Advantage, roll.DisplayTerms, roll.Successes, roll.Natural, roll.AppliedDc, roll.CapReached);
        return roll switch
        {
            { Hidden: true, Revealed: true } => $"Revealed: {roll.PlayerName} rolled {details}",
            { Hidden: true } => $"{roll.PlayerName} rolled a hidden {details}",
            _ => $"{roll.PlayerName} rolled {details}",
        };
    }

    /// <summary>"14 for Longsword damage: 2d6+3, dice 5 and 6" with advantage, naturals, successes and the DC after it.</summary>
    public static string Details(int total, string? label, string formula, Advantage advantage, IReadOnlyList<TermOutcome> terms,
        int? successes, int? natural, DcCheck? dc, bool capReached)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var text = total.ToString(CultureInfo.InvariantCulture);
        var types = DamageTypes.Of(terms);
        if (types.Count > 0)
        {
            // "14 fire, 3 piercing, 17 total": each damage type's subtotal, then the total.
            text = string.Join(", ", types.Select(t => $"{t.Subtotal.ToString(CultureInfo.InvariantCulture)} {t.Type}")) + $", {text} total";
        }

        if (!string.IsNullOrEmpty(label))
        {
            text += $" for {label}";
        }

        text += $": {formula}";
        text += advantage switch
        {
            Advantage.Advantage => " with advantage",
            Advantage.Disadvantage => " with disadvantage",
            _ => "",
        };
        text += ", " + DiceWords(terms);
        if (Crit(natural) is { } crit)
        {
            text += $", {crit}";
        }

        if (successes is int count)
        {
            text += $", {Successes(count)}";
        }

        if (capReached)
        {
            text += $", stopped at the {DiceSpec.MaxDice}-dice limit";
        }

        if (dc is not null)
        {
            text += $", {(dc.Passed ? "passes" : "fails")} DC {dc.Dc.ToString(CultureInfo.InvariantCulture)}";
        }

        return text;
    }

    /// <summary>"Natural 20!" or "Natural 1!" for a d20 check's kept die, else null.</summary>
    public static string? Crit(int? natural) => natural switch
    {
        20 => "Natural 20!",
        1 => "Natural 1!",
        _ => null,
    };

    public static string Successes(int count) => count == 1 ? "1 success" : $"{count.ToString(CultureInfo.InvariantCulture)} successes";

    /// <summary>What a die's fate sounds like after its value ("3 dropped"); kept dice are just their value.</summary>
    public static string FateWord(DieFate fate) => fate switch
    {
        DieFate.Dropped => "dropped",
        DieFate.Rerolled => "rerolled",
        DieFate.Exploded => "exploded",
        _ => "",
    };

    /// <summary>"dice 5 and 6", "die 17", "dice 17 and 3 dropped"; past a dozen dice just how many.</summary>
    public static string DiceWords(IReadOnlyList<TermOutcome> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var dice = terms.SelectMany(t => t.Dice).ToList();
        if (dice.Count > 12)
        {
            return $"{dice.Count.ToString(CultureInfo.InvariantCulture)} dice";
        }

        var words = dice.Select(d => d.Fate is DieFate.Kept ? Value(d.Value) : $"{Value(d.Value)} {FateWord(d.Fate)}").ToList();
        return words.Count switch
        {
            0 => "no dice",
            1 => $"die {words[0]}",
            _ => $"dice {string.Join(", ", words.Take(words.Count - 1))} and {words[^1]}",
        };
    }

    private static string Value(int value) => value.ToString(CultureInfo.InvariantCulture);
}
