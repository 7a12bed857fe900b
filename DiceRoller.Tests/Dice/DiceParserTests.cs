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
    [InlineData("1d1", "1d1", 1, 1, 1, 1)]
    [InlineData("0d6", "0d6", 1, 0, 0, 0)]
    [InlineData("1", "1", 1, 0, 1, 1)]
    [InlineData("-1", "-1", 1, 0, -1, -1)]
    [InlineData("+1", "1", 1, 0, 1, 1)]
    [InlineData("-+-++---+1", "-1", 1, 0, -1, -1)]
    [InlineData("1 + 2 + 3", "1+2+3", 3, 0, 6, 6)]
    [InlineData("1 + 3 * 6", "1+3*6", 3, 0, 19, 19)]
    [InlineData("(1 + 3) * 6", "(1+3)*6", 3, 0, 24, 24)]
    [InlineData("15 / 2", "15/2", 2, 0, 7, 7)]
    [InlineData("-7 / 2", "-7/2", 2, 0, -4, -4)]
    [InlineData("2 * 1d6", "2*1d6", 2, 1, 12, 2)]
    [InlineData("60 / 1d6", "60/1d6", 2, 1, 60, 10)]
    [InlineData("(1d8 + 3) * 2", "(1d8+3)*2", 3, 1, 22, 8)]
    [InlineData("((1d6))", "((1d6))", 1, 1, 6, 1)]
    [InlineData("-(1d8 + 3) [healing]", "-(1d8+3)[healing]", 2, 1, -4, -11)]
    [InlineData("8d6 [fire]", "8d6[fire]", 1, 8, 48, 8)]
    [InlineData("3d6 [fire] + 1d4 [piercing]", "3d6[fire]+1d4[piercing]", 2, 4, 22, 4)]
    [InlineData("1d20mi10", "1d20mi10", 1, 1, 20, 10)]
    [InlineData("10d6mi10", "10d6mi10", 1, 10, 100, 100)]
    [InlineData("10d6ma0", "10d6ma0", 1, 10, 0, 0)]
    [InlineData("1d6ral1", "1d6ral1", 1, 1, 12, 2)]
    [InlineData("1d6rol1", "1d6rol1", 1, 1, 6, 1)]
    [InlineData("1d20rr<20", "1d20r<20", 1, 1, 20, 1)]
    [InlineData("1d2e2", "1d2!", 1, 1, 200, 1)]
    [InlineData("10d6k1k2k3", "10d6kh1kh2kh3", 1, 10, 18, 3)]
    [InlineData("10d6k1ph1", "10d6kh1dh1", 1, 10, 0, 0)]
    [InlineData("10d6kh1kl1", "10d6kh1kl1", 1, 10, 12, 1)]
    [InlineData("((10d6kh5)kl2)kh1", "((10d6kh5)kl2)kh1", 1, 10, 6, 1)]
    [InlineData("4d6p1", "4d6dl1", 1, 4, 18, 3)]
    [InlineData("5d6k>3", "5d6k>3", 1, 5, 30, 0)]
    public void Valid_formulas_parse_to_their_terms(string formula, string notation, int terms, int dice, long max, long min)
    {
        var (spec, error) = DiceParser.Parse(formula);

        Assert.Null(error);
        Assert.Equal(notation, spec!.Notation);
        Assert.Equal(terms, spec.Terms.Count);
        Assert.Equal(dice, spec.BaseDice);
        Assert.Equal((min, max), spec.Range());
    }

    [Theory]
    [InlineData("3d6>=5!")]
    [InlineData("3d6!6>=5")]
    [InlineData("3d6!=6>=5")]
    public void An_explosion_on_the_top_face_before_a_success_target_is_written_with_its_face(string formula)
    {
        // "3d6!>=5" is an explosion on 5 and 6 without a target; the stored form must read back to the same term.
        var spec = DiceNotation.Parse(formula).Spec!;
        Assert.Equal("3d6!6>=5", spec.Notation);
        var term = Assert.IsType<DiceTerm>(Assert.Single(DiceNotation.ParseStored(spec.Notation, "none").Spec!.Terms));
        Assert.Equal((CompareOp.Equal, 6), (term.Explode!.Op, term.Explode.Value));
        Assert.Equal((CompareOp.GreaterOrEqual, 5), (term.Success!.Op, term.Success.Value));
        Assert.Null(Assert.IsType<DiceTerm>(Assert.Single(DiceNotation.Parse("3d6!>=5").Spec!.Terms)).Success);
    }

    [Fact]
    public void Each_option_lands_in_its_place()
    {
        var (spec, _) = DiceParser.Parse("10d8ro<2!>=7kl5>=4");

        var term = Assert.IsType<DiceTerm>(Assert.Single(spec!.Terms));
        Assert.Equal(new DiceTerm(false, 10, 8, false,
            new RerollRule(new Comparison(CompareOp.Less, 2), Once: true),
            new Comparison(CompareOp.GreaterOrEqual, 7),
            new ValueList<KeepRule>([KeepRule.KeepLowest(5)]),
            new Comparison(CompareOp.GreaterOrEqual, 4)), term);
    }

    [Theory]
    [InlineData("4d6kh", "\"4d6kh\": a number must follow \"kh\" (at character 6)", 5)]
    [InlineData("d", "the number of faces must follow \"d\", like d20 (at character 2)", 1)]
    [InlineData("1d7+", "a die or a number must follow (at character 5)", 4)]
    [InlineData("1d0", "dice have 1 to 1000 faces, not 0 (at character 3)", 2)]
    [InlineData("1d1001", "dice have 1 to 1000 faces, not 1001 (at character 3)", 2)]
    [InlineData("101d6", "roll 0 to 100 dice in a term, not 101 (at character 1)", 0)]
    [InlineData("99999d6", "roll 0 to 100 dice in a term, not 99999 (at character 1)", 0)]
    [InlineData("60d6+50d6", "a roll can draw at most 100 dice, this one asks for 110 (at character 6)", 5)]
    [InlineData("1d20; drop table", "expected an operator (+ - * /) or the end of the formula, found \";\" (at character 5)", 4)]
    [InlineData("<script>", "expected a die like d20, a number or (, found \"<\" (at character 1)", 0)]
    [InlineData("2d6**2", "expected a die like d20, a number or (, found \"*\" (at character 5)", 4)]
    [InlineData("\u0661d20", "\"\u0661\" is not a digit here: write numbers with the digits 0-9 (at character 1)", 0)]
    [InlineData("\uff11d20", "\"\uff11\" is not a digit here: write numbers with the digits 0-9 (at character 1)", 0)]
    [InlineData("1d20 2", "found \"2\"; put an operator between numbers, like 1d20+2 (at character 6)", 5)]
    [InlineData("3d6kh4", "\"kh4\": keep 1 to 3 of 3 dice (at character 4)", 3)]
    [InlineData("3d6dl3", "\"dl3\": drop fewer than the 3 dice rolled (at character 4)", 3)]
    [InlineData("3d6kh0", "\"kh0\": keep 1 to 3 of 3 dice (at character 4)", 3)]
    [InlineData("3d6r1ro2", "reroll is given twice (at character 6)", 5)]
    [InlineData("1d6r<7", "\"r<7\" would reroll every face of a d6 forever (at character 4)", 3)]
    [InlineData("1d20rr<21", "\"rr<21\" would reroll every face of a d20 forever (at character 5)", 4)]
    [InlineData("1d1rr1", "\"rr1\" would reroll every face of a d1 forever (at character 4)", 3)]
    [InlineData("1d6r7", "a d6 never rolls 7, so nothing would be rerolled (at character 4)", 3)]
    [InlineData("1d6!>=1", "\"!>=1\" would explode on every face of a d6 (at character 4)", 3)]
    [InlineData("1d20e<21", "\"e<21\" would explode on every face of a d20 (at character 5)", 4)]
    [InlineData("1d1e1", "\"e1\" would explode on every face of a d1 (at character 4)", 3)]
    [InlineData("1d6!>6", "a d6 never rolls >6, so it could never explode (at character 4)", 3)]
    [InlineData("1d6!!", "\"!\" (explode) is given twice (at character 5)", 4)]
    [InlineData("4dF!", "Fudge dice cannot explode (at character 4)", 3)]
    [InlineData("4dFr0", "Fudge dice cannot be rerolled (at character 4)", 3)]
    [InlineData("8d6>=", "a number must follow \">=\" (at character 6)", 5)]
    [InlineData("10d6mil1", "a number must follow \"mi\" (at character 7)", 6)]
    [InlineData("8d6fire", "\"f\" is not a dice option (k, p, r, rr, ro, ra, e, !, mi, ma); to label a roll, put a space before the label: 8d6 fire (at character 4)", 3)]
    [InlineData("(1d8+3", "the ( at character 1 is never closed: add a ) (at character 7)", 6)]
    [InlineData("1d8+3)", "found \")\"; this ) closes nothing (at character 6)", 5)]
    [InlineData("10 / 0", "a divisor could be 0", 0)]
    [InlineData("60/(1d6-1)", "a divisor could be 0", 0)]
    [InlineData("3d6 [fire", "an annotation like [fire] needs its closing ] (at character 5)", 4)]
    [InlineData("((((((((((((((((((((((1))))))))))))))))))))))", "parentheses and signs can nest at most 20 deep (at character 21)", 20)]
    [InlineData("1d20+99999999999", "numbers go up to 2147483647 (at character 6)", 5)]
    [InlineData("1d20+2147483647+1", "totals must fit in 32 bits", 0)]
    [InlineData("65536*65536", "totals must fit in 32 bits", 0)]
    // A node already out of range under another operator: refused, not an overflow (long.MinValue / -1 threw, a 500).
    [InlineData("(1/(1d6-3))/-1", "a divisor could be 0", 0)]
    [InlineData("-(1/(1d6-3))*2", "a divisor could be 0", 0)]
    [InlineData("(65536*65536*65536*65536)/-1", "totals must fit in 32 bits", 0)]
    [InlineData("1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1", "a roll can have at most 100 terms (at character 201)", 200)]
    [InlineData("1d20+1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111", "a formula can be at most 500 characters long, this one has 501", 500)]
    public void Invalid_formulas_say_where_and_what_was_expected(string formula, string says, int position)
    {
        var (spec, error) = DiceParser.Parse(formula);

        Assert.Null(spec);
        Assert.Equal("INVALID_DICE_FORMAT", error!.Code);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.Contains(DiceParser.Examples, error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }
}
