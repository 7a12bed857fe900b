using System.Globalization;

namespace DiceRoller.Dice;

/// <summary>
/// Reads the roll form's fields into a spec: the formula in the dice language (see <see cref="DiceParser"/>) with an
/// optional <c># label</c>, the pad's separate modifier field and its advantage toggle. Errors come back as values.
/// </summary>
public static class DiceNotation
{
    public const string InvalidDiceFormat = "INVALID_DICE_FORMAT";
    public const string InvalidModifier = "INVALID_MODIFIER";
    public const string InvalidAdvantage = "INVALID_ADVANTAGE";

    /// <summary>
    /// Builds a spec from <paramref name="dice"/> (<c>1d20+5 # Stealth</c>), the <paramref name="modifier"/> field
    /// (added as a constant term; refused when the formula already has a constant, so nothing is added twice)
    /// and the <paramref name="advantage"/> toggle (turns a lone <c>1d20</c> into <c>2d20kh1</c> or <c>2d20kl1</c>).
    /// </summary>
    public static (DiceSpec? Spec, DiceError? Error) Parse(string? dice, string? modifier = null, string? advantage = null) =>
        Parse(dice, modifier, advantage, DiceSpec.MaxFormulaLength);

    /// <summary>
    /// Reads a roll's stored formula (its printed form, with its advantage) back into the spec it was rolled with, to verify
    /// or replay it: the printed form of a formula typed within the limit may be longer than the limit (see
    /// <see cref="DiceSpec.MaxStoredFormulaLength"/>), and an honest roll must still verify.
    /// </summary>
    public static (DiceSpec? Spec, DiceError? Error) ParseStored(string? formula, string? advantage) =>
        Parse(formula, modifier: null, advantage, DiceSpec.MaxStoredFormulaLength);

    private static (DiceSpec? Spec, DiceError? Error) Parse(string? dice, string? modifier, string? advantage, int maxLength)
    {
        var (spec, error) = DiceParser.Parse(dice, null, maxLength);
        if (error is not null)
        {
            return (null, error);
        }

        var (label, labelError) = spec!.Label is null ? (null, null) : ReadLabel(spec.Label);
        if (labelError is not null)
        {
            return (null, labelError);
        }

        spec = spec with { Label = label };
        var fieldModifier = 0;
        var modifierText = modifier?.Trim() ?? "";
        if (modifierText.Length > 0 &&
            (!int.TryParse(modifierText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out fieldModifier)
             || fieldModifier is < DiceSpec.MinModifier or > DiceSpec.MaxModifier))
        {
            return Fail(InvalidModifier, $"The modifier must be a whole number from {DiceSpec.MinModifier} to +{DiceSpec.MaxModifier}.");
        }

        if (fieldModifier != 0)
        {
            if (spec!.Terms.OfType<ConstantTerm>().Any() || spec.Tree is not null)
            {
                return Fail(InvalidModifier, spec.Tree is null
                    ? "Give the modifier either in the formula or in the modifier field, not both."
                    : "With arithmetic or parentheses in the formula, write the modifier in the formula too.");
            }

            if (spec.Terms.Count >= DiceSpec.MaxTerms)
            {
                return Fail(InvalidDiceFormat, $"A roll can have at most {DiceSpec.MaxTerms} terms, counting the modifier.");
            }

            spec = spec with { Terms = [.. spec.Terms, new ConstantTerm(fieldModifier < 0, Math.Abs(fieldModifier))] };
        }

        if (!AdvantageNames.TryParse(advantage, out var adv))
        {
            return Fail(InvalidAdvantage, "Advantage must be none, advantage or disadvantage.");
        }

        if (adv != Advantage.None)
        {
            var diceTerms = spec!.DiceTerms.ToList();
            if (spec.Tree is not null || spec.Critical ||
                diceTerms is not [{ Count: 1, Sides: 20, Fudge: false, Negative: false, Reroll: null, Explode: null, Keep: null, Success: null, RerollAdd: null, Min: null, Max: null } d20])
            {
                return Fail(InvalidAdvantage, "Advantage and disadvantage apply to a single d20 (1d20, with or without a modifier).");
            }

            var keep = adv == Advantage.Advantage ? KeepRule.KeepHighest(1) : KeepRule.KeepLowest(1);
            spec = spec with { Terms = spec.Terms.Select(t => ReferenceEquals(t, d20) ? d20 with { Count = 2, Keep = new([keep]) } : t).ToList() };
        }

        return (spec, null);
    }

    private static (string?, DiceError?) ReadLabel(string raw)
    {
        var label = raw.Trim();
        // Plain text on one line: no control characters, and no bidirectional overrides that could make it read backwards.
        if (label.Any(c => char.IsControl(c) || c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')))
        {
            return (null, new DiceError(InvalidDiceFormat, "The label (the text after the formula) must be plain text on one line."));
        }

        if (new StringInfo(label).LengthInTextElements > DiceSpec.MaxLabelLength)
        {
            return (null, new DiceError(InvalidDiceFormat, $"The label (the text after the formula) can be at most {DiceSpec.MaxLabelLength} characters long."));
        }

        return (label.Length == 0 ? null : label, null);
    }

    private static (DiceSpec?, DiceError?) Fail(string code, string message) => (null, new DiceError(code, message));
}
