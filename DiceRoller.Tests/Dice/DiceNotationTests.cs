using DiceRoller.Dice;

namespace DiceRoller.Tests.Dice;

/// <summary>The roll form's fields: formula with label, the pad's modifier field and its advantage toggle.</summary>
public sealed class DiceNotationTests
{
    [Theory]
    [InlineData("1d20", null, null, "1d20", 0, Advantage.None)]
    [InlineData("3d6", "", "", "3d6", 0, Advantage.None)]
    [InlineData("d8", "2", "none", "1d8+2", 2, Advantage.None)]
    [InlineData(" 2D10 ", "-3", null, "2d10-3", -3, Advantage.None)]
    [InlineData("2d6+3", "0", null, "2d6+3", 3, Advantage.None)]
    [InlineData("1d100-10", null, null, "1d100-10", -10, Advantage.None)]
    [InlineData("100d4", "+20", null, "100d4+20", 20, Advantage.None)]
    [InlineData("1d20+25", null, null, "1d20+25", 25, Advantage.None)]
    [InlineData("1d20", "5", "advantage", "1d20+5", 5, Advantage.Advantage)]
    [InlineData("1d20", "0", "Disadvantage", "1d20", 0, Advantage.Disadvantage)]
    [InlineData("1d20+3", "0", "advantage", "1d20+3", 3, Advantage.Advantage)]
    [InlineData("2d20kh1+4", null, null, "1d20+4", 4, Advantage.Advantage)]
    [InlineData("2d6+1d4+3", "0", "none", "2d6+1d4+3", 3, Advantage.None)]
    public void The_form_reads_into_a_spec(string dice, string? modifier, string? advantage, string formula, int sum, Advantage expected)
    {
        var (spec, error) = DiceNotation.Parse(dice, modifier, advantage);

        Assert.Null(error);
        Assert.Equal(formula, spec!.Formula);
        Assert.Equal(sum, spec.Modifier);
        Assert.Equal(expected, spec.Advantage);
    }

    [Fact]
    public void Advantage_turns_a_lone_d20_into_two_d20s_keeping_the_higher()
    {
        var (spec, _) = DiceNotation.Parse("1d20+5", null, "advantage");

        Assert.Equal("2d20kh1+5", spec!.Notation);
        Assert.True(spec.IsD20Check);
    }

    [Theory]
    [InlineData("1d20+5 # Stealth", "1d20+5", "Stealth")]
    [InlineData("2d6+3 #Longsword damage ", "2d6+3", "Longsword damage")]
    [InlineData("1d20 #", "1d20", null)]
    [InlineData("1d8 # <b>bold</b> & co", "1d8", "<b>bold</b> & co")]
    public void Text_after_a_hash_is_the_label(string dice, string notation, string? label)
    {
        var (spec, error) = DiceNotation.Parse(dice);

        Assert.Null(error);
        Assert.Equal(notation, spec!.Notation);
        Assert.Equal(label, spec.Label);
    }

    [Theory]
    [InlineData(null, null, null, "INVALID_DICE_FORMAT", "Choose dice")]
    [InlineData("", null, null, "INVALID_DICE_FORMAT", "Choose dice")]
    [InlineData("1d20 # 12345678901234567890123456789012345678901", null, null, "INVALID_DICE_FORMAT", "at most 40 characters")]
    [InlineData("1d20 # two\nlines", null, null, "INVALID_DICE_FORMAT", "plain text")]
    [InlineData("1d20 # \u202Ekcats", null, null, "INVALID_DICE_FORMAT", "plain text")]
    [InlineData("1d20", "abc", null, "INVALID_MODIFIER", "whole number")]
    [InlineData("1d20", "1.5", null, "INVALID_MODIFIER", "whole number")]
    [InlineData("1d20", "21", null, "INVALID_MODIFIER", "from -10 to +20")]
    [InlineData("1d20", "-11", null, "INVALID_MODIFIER", "from -10 to +20")]
    [InlineData("1d20", "99999999999999", null, "INVALID_MODIFIER", "whole number")]
    [InlineData("1d20+2", "3", null, "INVALID_MODIFIER", "not both")]
    [InlineData("1d20", "0", "sideways", "INVALID_ADVANTAGE", "none, advantage or disadvantage")]
    [InlineData("2d20", "0", "advantage", "INVALID_ADVANTAGE", "single d20")]
    [InlineData("1d6", "0", "disadvantage", "INVALID_ADVANTAGE", "single d20")]
    [InlineData("1d20+1d4", "0", "advantage", "INVALID_ADVANTAGE", "single d20")]
    [InlineData("2d20kh1", "0", "advantage", "INVALID_ADVANTAGE", "single d20")]
    [InlineData("1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1d20", "2", null, "INVALID_MODIFIER", "not both")]
    [InlineData("1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1+1d1", "2", null, "INVALID_DICE_FORMAT", "at most 100 terms")]
    public void Invalid_input_is_an_error_value_with_a_message(string? dice, string? modifier, string? advantage, string code, string says)
    {
        var (spec, error) = DiceNotation.Parse(dice, modifier, advantage);

        Assert.Null(spec);
        Assert.Equal(code, error!.Code);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_formula_typed_within_the_limit_whose_printed_form_is_longer_reads_back_as_stored_and_typing_keeps_the_limit()
    {
        var typed = string.Join("+", Enumerable.Repeat("1d%k1", 83));
        Assert.Equal(497, typed.Length);

        var (spec, error) = DiceNotation.Parse(typed);
        Assert.Null(error);
        Assert.Equal(746, spec!.Formula.Length); // every d% spelled 1d100 and k1 kh1

        var (stored, storedError) = DiceNotation.ParseStored(spec.Formula, spec.Advantage.ToWire());
        Assert.Null(storedError);
        Assert.True(spec.SameAs(stored!), $"{spec.Formula} came back as {stored!.Formula}");

        // What a person types is still held to the limit, printed form or not.
        var (_, typedError) = DiceNotation.Parse(spec.Formula);
        Assert.Equal(DiceNotation.InvalidDiceFormat, typedError!.Code);
        Assert.Contains("at most 500 characters", typedError.Message, StringComparison.Ordinal);
        var (_, tooLong) = DiceNotation.ParseStored(new string('1', DiceSpec.MaxStoredFormulaLength + 1), advantage: null);
        Assert.Contains($"at most {DiceSpec.MaxStoredFormulaLength} characters", tooLong!.Message, StringComparison.Ordinal);
    }
}
