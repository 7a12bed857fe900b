using DiceRoller.Dice;

namespace DiceRoller.Tests.Dice;

public sealed class DiceParserTests
{
    [Theory]
    [InlineData("2d6+1d4+3", "2d6+1d4+3", 3, 3, 12 + 4 + 3, 3 + 3)]
    [InlineData("4d6kh3", "4d6kh3", 1, 4, 18, 3)]
    [InlineData("4d6k3", "4d6kh3", 1, 4, 18, 3)]
    [InlineData("2d20kl1", "2d20kl1", 1, 2, 20, 1)]
    [InlineData("4d6dl1", "4d6dl1", 1, 4, 18, 3)]
    [InlineData("4d6dh1", "4d6dh1", 1, 4, 18, 3)]
    [InlineData("1d20!", "1d20!", 1, 1, 100 * 20, 1)]
    [InlineData("1d6!", "1d6!", 1, 1, 600, 1)]
    [InlineData("3d6!>=5", "3d6!>=5", 1, 3, 600, 3)]
    [InlineData("2d6r1", "2d6r1", 1, 2, 12, 2)]
    [InlineData("2d6r<3", "2d6r<3", 1, 2, 12, 2)]
    [InlineData("2d6ro1", "2d6ro1", 1, 2, 12, 2)]
    [InlineData("2d6ro<=2", "2d6ro<=2", 1, 2, 12, 2)]
    [InlineData("d%", "1d100", 1, 1, 100, 1)]
    [InlineData("4dF", "4dF", 1, 4, 4, -4)]
    [InlineData("1d20+25", "1d20+25", 2, 1, 45, 26)]
    [InlineData("1D20 + 5", "1d20+5", 2, 1, 25, 6)]
    [InlineData("1d20+5-1", "1d20+5-1", 3, 1, 24, 5)]
    [InlineData("-1d4+10", "-1d4+10", 2, 1, 9, 6)]
    [InlineData("8d6>=5", "8d6>=5", 1, 8, 8, 0)]
    [InlineData("7d7", "7d7", 1, 7, 49, 7)]
    [InlineData("1d1000", "1d1000", 1, 1, 1000, 1)]
    [InlineData("1d8+2d6+4", "1d8+2d6+4", 3, 3, 24, 7)]
    [InlineData("100d1000", "100d1000", 1, 100, 100_000, 100)]
    public void Valid_formulas_parse_to_their_terms(string formula, string notation, int terms, int dice, long max, long min)
    {
        var (spec, error) = DiceParser.Parse(formula);

        Assert.Null(error);
        Assert.Equal(notation, spec!.Notation);
        Assert.Equal(terms, spec.Terms.Count);
        Assert.Equal(dice, spec.BaseDice);
        Assert.Equal((min, max), spec.Range());
    }

    [Fact]
    public void Each_option_lands_in_its_place()
    {
        var (spec, _) = DiceParser.Parse("10d8ro<2!>=7kl5>=4");

        var term = Assert.IsType<DiceTerm>(Assert.Single(spec!.Terms));
        Assert.Equal(new DiceTerm(false, 10, 8, false,
            new RerollRule(new Comparison(CompareOp.Less, 2), Once: true),
            new Comparison(CompareOp.GreaterOrEqual, 7),
            new KeepRule(KeepKind.KeepLowest, 5),
            new Comparison(CompareOp.GreaterOrEqual, 4)), term);
    }

    [Theory]
    [InlineData("4d6kh", "\"4d6kh\": a number must follow \"kh\" (at 5)", 5)]
    [InlineData("d", "the number of faces must follow \"d\" (at 1)", 1)]
    [InlineData("1d7+", "a die or a number must follow (at 4)", 4)]
    [InlineData("1d1", "dice have 2 to 1000 faces, not 1 (at 2)", 2)]
    [InlineData("1d0", "dice have 2 to 1000 faces, not 0 (at 2)", 2)]
    [InlineData("1d1001", "dice have 2 to 1000 faces, not 1001 (at 2)", 2)]
    [InlineData("0d6", "roll 1 to 100 dice in a term, not 0 (at 0)", 0)]
    [InlineData("101d6", "roll 1 to 100 dice in a term, not 101 (at 0)", 0)]
    [InlineData("99999d6", "roll 1 to 100 dice in a term, not 99999 (at 0)", 0)]
    [InlineData("60d6+50d6", "a roll can draw at most 100 dice, this one asks for 110 (at 5)", 5)]
    [InlineData("1d20; drop table", "\";\" cannot be part of dice notation (at 4)", 4)]
    [InlineData("<script>", "\"s\" cannot be part of dice notation (at 1)", 1)]
    [InlineData("2d6*2", "\"*\" cannot be part of dice notation (at 3)", 3)]
    [InlineData("\u0661d20", "\"\u0661\" is not a digit here: write numbers with the digits 0-9 (at 0)", 0)]
    [InlineData("\uff11d20", "\"\uff11\" is not a digit here: write numbers with the digits 0-9 (at 0)", 0)]
    [InlineData("1d20 2", "expected + or - between terms, found \"2\" (at 5)", 5)]
    [InlineData("3d6kh4", "\"kh4\": keep 1 to 3 of 3 dice (at 3)", 3)]
    [InlineData("3d6dl3", "\"dl3\": drop fewer than the 3 dice rolled (at 3)", 3)]
    [InlineData("3d6kh0", "\"kh0\": keep 1 to 3 of 3 dice (at 3)", 3)]
    [InlineData("3d6kh1kl1", "keep or drop is given twice (at 6)", 6)]
    [InlineData("1d6r<7", "\"r<7\" would reroll every face of a d6 forever (at 3)", 3)]
    [InlineData("1d6r7", "a d6 never rolls 7, so nothing would be rerolled (at 3)", 3)]
    [InlineData("1d6!>=1", "\"!>=1\" would explode on every face of a d6 (at 3)", 3)]
    [InlineData("1d6!>6", "a d6 never rolls >6, so it could never explode (at 3)", 3)]
    [InlineData("1d6!!", "\"!\" is given twice (at 4)", 4)]
    [InlineData("4dF!", "Fudge dice cannot explode (at 3)", 3)]
    [InlineData("4dFr0", "Fudge dice cannot be rerolled (at 3)", 3)]
    [InlineData("8d6>=", "a number must follow \">=\" (at 5)", 5)]
    [InlineData("1d20+99999999999", "numbers go up to 2147483647 (at 5)", 5)]
    [InlineData("1d20+2147483647+1", "totals must fit in 32 bits", 0)]
    [InlineData("5+3", "roll at least one die, like 1d20", 0)]
    [InlineData("1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1d4+1", "a roll can have at most 20 terms, this one has 21", 80)]
    [InlineData("1d20+111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111", "a formula can be at most 100 characters long, this one has 101", 100)]
    public void Invalid_formulas_say_where_and_what_was_expected(string formula, string says, int position)
    {
        var (spec, error) = DiceParser.Parse(formula);

        Assert.Null(spec);
        Assert.Equal("INVALID_DICE_FORMAT", error!.Code);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.Contains("For example: 1d20+5, 4d6kh3 or 2d6+1d4+3.", error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }
}
