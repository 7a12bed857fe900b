using System.Globalization;
using System.Text.RegularExpressions;

namespace DiceRoller.Dice;

/// <summary>
/// Parses dice notation (<c>NdX</c>, optionally <c>NdX+M</c> / <c>NdX-M</c>, count defaults to 1)
/// and validates it against the game's limits. Errors come back as values.
/// </summary>
public static partial class DiceNotation
{
    public const string InvalidDiceFormat = "INVALID_DICE_FORMAT";
    public const string InvalidModifier = "INVALID_MODIFIER";
    public const string InvalidAdvantage = "INVALID_ADVANTAGE";

    // ASCII digits only: \d would also match Arabic-Indic or full-width digits, which int.Parse then refuses.
    [GeneratedRegex(@"^(?<count>[0-9]{1,4})?[dD](?<sides>[0-9]{1,4})(?:[ \t]*(?<sign>[+-])[ \t]*(?<mod>[0-9]{1,4}))?$")]
    private static partial Regex Notation();

    /// <summary>
    /// Builds a spec from the form's fields: <paramref name="dice"/> (<c>1d20</c>, or a whole formula such
    /// as <c>2d6+3</c>), a separate <paramref name="modifier"/> and the <paramref name="advantage"/> name.
    /// </summary>
    public static (DiceSpec? Spec, DiceError? Error) Parse(string? dice, string? modifier = null, string? advantage = null)
    {
        var text = dice?.Trim() ?? "";
        if (text.Length == 0)
        {
            return Fail(InvalidDiceFormat, "Choose dice to roll, for example 1d20 or 3d6.");
        }

        var match = Notation().Match(text);
        if (!match.Success)
        {
            return Fail(InvalidDiceFormat, $"\u201c{Shorten(text)}\u201d is not dice notation. Write it like 1d20, 3d6 or 2d8+3.");
        }

        var count = match.Groups["count"].Success ? int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture) : 1;
        var sides = int.Parse(match.Groups["sides"].Value, CultureInfo.InvariantCulture);
        if (!DiceSpec.AllowedSides.Contains(sides))
        {
            return Fail(InvalidDiceFormat, $"There is no d{sides} here. Roll a d4, d6, d8, d10, d12, d20 or d100.");
        }

        if (count is < DiceSpec.MinCount or > DiceSpec.MaxCount)
        {
            return Fail(InvalidDiceFormat, $"Roll between {DiceSpec.MinCount} and {DiceSpec.MaxCount} dice at once.");
        }

        var inlineModifier = 0;
        if (match.Groups["mod"].Success)
        {
            inlineModifier = int.Parse(match.Groups["mod"].Value, CultureInfo.InvariantCulture);
            if (match.Groups["sign"].Value == "-")
            {
                inlineModifier = -inlineModifier;
            }
        }

        var fieldModifier = 0;
        var modifierText = modifier?.Trim() ?? "";
        if (modifierText.Length > 0 &&
            !int.TryParse(modifierText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out fieldModifier))
        {
            return Fail(InvalidModifier, $"The modifier must be a whole number from {DiceSpec.MinModifier} to +{DiceSpec.MaxModifier}.");
        }

        if (match.Groups["mod"].Success && fieldModifier != 0)
        {
            return Fail(InvalidModifier, "Give the modifier either in the formula or in the modifier field, not both.");
        }

        var total = match.Groups["mod"].Success ? inlineModifier : fieldModifier;
        if (total is < DiceSpec.MinModifier or > DiceSpec.MaxModifier)
        {
            return Fail(InvalidModifier, $"The modifier must be from {DiceSpec.MinModifier} to +{DiceSpec.MaxModifier}.");
        }

        if (!AdvantageNames.TryParse(advantage, out var adv))
        {
            return Fail(InvalidAdvantage, "Advantage must be none, advantage or disadvantage.");
        }

        if (adv != Advantage.None && (count != 1 || sides != 20))
        {
            return Fail(InvalidAdvantage, "Advantage and disadvantage apply to a single d20 (1d20).");
        }

        return (new DiceSpec(count, sides, total, adv), null);
    }

    private static (DiceSpec?, DiceError?) Fail(string code, string message) => (null, new DiceError(code, message));

    private static string Shorten(string text) => text.Length <= 24 ? text : string.Concat(text.AsSpan(0, 24), "\u2026");
}
