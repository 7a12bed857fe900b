using DiceRoller.Rooms;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// What a page's roster says when someone joins, leaves or is removed (the screen reader hears it once): every change on the
/// others' pages, and no "you joined" on the joiner's own page, even when its stream gets the join's event (a slow machine).
/// </summary>
public sealed class RosterSentenceTests
{
    private static readonly RoomSnapshot Table = new(
        new Room("ALPHA-1234", RoomMode.DmLed, "dee", "dee", null, 0, 0, 3600),
        [new Player("dee", "Dee", 0, "d1", "h1"), new Player("bob", "Bob", 1, "d2", "h2")]);

    [Theory]
    [InlineData("dee", null, "Bob joined the room.")]
    [InlineData("bob", null, null)]
    [InlineData("dee", RoomEvent.Reasons.Left, "Bob left the room.")]
    [InlineData("dee", RoomEvent.Reasons.Kicked, "Bob was removed from the room.")]
    public void A_change_is_said_on_the_others_pages_and_a_join_not_on_the_joiners_own(string viewer, string? reason, string? expected)
    {
        var roster = new RosterModel(Table, viewer, null, 8) { Change = new RosterChange("bob", reason) { Name = "Bob" } };

        Assert.Equal(expected, roster.Sentence);
    }

    [Fact]
    public void Without_a_change_nothing_is_said()
    {
        Assert.Null(new RosterModel(Table, "dee", null, 8).Sentence);
    }
}
