using DiceRoller.Initiative;
using DiceRoller.Shared;

namespace DiceRoller.Tests.Initiative;

/// <summary>The possessive the turn line (and the roll rows' screen-reader text) puts after a name.</summary>
public sealed class PossessiveTests
{
    [Theory]
    [InlineData("Bob", "Bob's")]
    [InlineData("Goblin 1", "Goblin 1's")]
    [InlineData("Jess", "Jess's")]
    [InlineData("Orc's", "Orc's")]
    [InlineData("Orc’s", "Orc’s")]
    [InlineData("ORC'S", "ORC'S")]
    [InlineData("Bess'", "Bess'")]
    [InlineData("Bess’", "Bess’")]
    [InlineData("O'Brien", "O'Brien's")]
    [InlineData("s", "s's")]
    [InlineData("'s", "'s")]
    public void A_name_gets_one_possessive_never_two(string name, string expected)
    {
        Assert.Equal(expected, Possessive.Of(name));
    }

    [Theory]
    [InlineData("Bob", "Round 2: Bob's turn")]
    [InlineData("Orc's", "Round 2: Orc's turn")]
    [InlineData("Bess'", "Round 2: Bess' turn")]
    public void The_turn_line_says_the_possessive_once(string name, string expected)
    {
        var entry = new InitiativeEntry("e1", name, 12, 0, IsMonster: true, "p-Dee", "r1", Hidden: false, Order: 1);
        var encounter = InitiativeRules.Start("p-Dee", 1, 1) with { Round = 2, CurrentEntryId = "e1", Entries = [entry] };

        Assert.Equal(expected, encounter.TurnText(e => e.Name));
    }
}
