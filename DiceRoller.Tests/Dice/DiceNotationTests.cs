using DiceRoller.Dice;

namespace DiceRoller.Tests.Dice;

public sealed class DiceNotationTests
{
    [Theory]
    [InlineData("1d20", null, null, 1, 20, 0, Advantage.None, "1d20")]
    [InlineData("3d6", "", "", 3, 6, 0, Advantage.None, "3d6")]
    [InlineData("d8", "2", "none", 1, 8, 2, Advantage.None, "1d8+2")]
    [InlineData(" 2D10 ", "-3", null, 2, 10, -3, Advantage.None, "2d10-3")]
    [InlineData("2d6+3", "0", null, 2, 6, 3, Advantage.None, "2d6+3")]
    [InlineData("1d100-10", null, null, 1, 100, -10, Advantage.None, "1d100-10")]
    [InlineData("100d4", "+20", null, 100, 4, 20, Advantage.None, "100d4+20")]
    [InlineData("1d12", null, null, 1, 12, 0, Advantage.None, "1d12")]
    [InlineData("1d20", "5", "advantage", 1, 20, 5, Advantage.Advantage, "1d20+5")]
    [InlineData("1d20", "0", "Disadvantage", 1, 20, 0, Advantage.Disadvantage, "1d20")]
    public void Valid_notation_parses_to_its_spec(string dice, string? modifier, string? advantage,
        int count, int sides, int expectedModifier, Advantage expectedAdvantage, string formula)
    {
        var (spec, error) = DiceNotation.Parse(dice, modifier, advantage);

        Assert.Null(error);
        Assert.Equal(new DiceSpec(count, sides, expectedModifier, expectedAdvantage), spec);
        Assert.Equal(formula, spec!.Formula);
    }

    [Theory]
    [InlineData(null, null, null, "INVALID_DICE_FORMAT")]
    [InlineData("", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("d", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("1d7", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("1d0", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("0d6", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("101d6", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("99999d6", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("1d20; drop table", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("<script>", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("2d6*2", null, null, "INVALID_DICE_FORMAT")]
    [InlineData("1d20", "abc", null, "INVALID_MODIFIER")]
    [InlineData("1d20", "1.5", null, "INVALID_MODIFIER")]
    [InlineData("1d20", "21", null, "INVALID_MODIFIER")]
    [InlineData("1d20", "-11", null, "INVALID_MODIFIER")]
    [InlineData("1d20", "99999999999999", null, "INVALID_MODIFIER")]
    [InlineData("1d20+25", null, null, "INVALID_MODIFIER")]
    [InlineData("1d20+2", "3", null, "INVALID_MODIFIER")]
    [InlineData("1d20", "0", "sideways", "INVALID_ADVANTAGE")]
    [InlineData("2d20", "0", "advantage", "INVALID_ADVANTAGE")]
    [InlineData("1d6", "0", "disadvantage", "INVALID_ADVANTAGE")]
    public void Invalid_input_is_an_error_value_with_a_message(string? dice, string? modifier, string? advantage, string code)
    {
        var (spec, error) = DiceNotation.Parse(dice, modifier, advantage);

        Assert.Null(spec);
        Assert.Equal(code, error!.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }
}
