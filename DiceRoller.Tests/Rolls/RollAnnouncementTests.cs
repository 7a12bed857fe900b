using System.Net;
using DiceRoller.Dice;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rolls;

/// <summary>The one sentence a screen reader says for a new roll, and that it never tells a hidden value.</summary>
public sealed class RollAnnouncementTests : AppTest
{
    private static Roll Roll(int total = 17, string formula = "1d20+3", Advantage advantage = Advantage.None, bool hidden = false,
        bool revealed = false, DcCheck? dc = null) =>
        new("r1", "ALPHA-1234", 1, "bob", "Bob", 0, formula, 20, 1, 3, advantage, [total - 3], null, total, hidden, revealed, dc);

    private static readonly Viewer Player = new("pat", false, null);
    private static readonly Viewer Dm = new("dee", true, null);

    public static TheoryData<Roll, Viewer, string> Sentences => new()
    {
        { Roll(), Player, "Bob rolled 17 on 1d20+3" },
        { Roll(dc: new DcCheck(15, true)), Player, "Bob rolled 17 on 1d20+3, passes DC 15" },
        { Roll(total: 9, dc: new DcCheck(15, false)), Player, "Bob rolled 9 on 1d20+3, fails DC 15" },
        { Roll(advantage: Advantage.Advantage), Player, "Bob rolled 17 on 1d20+3 with advantage" },
        { Roll(advantage: Advantage.Disadvantage, dc: new DcCheck(10, true)), Player, "Bob rolled 17 on 1d20+3 with disadvantage, passes DC 10" },
        { Roll(formula: "1d20", hidden: true, dc: new DcCheck(15, true)), Player, "Bob rolled a hidden 1d20" },
        { Roll(formula: "1d20", hidden: true, dc: new DcCheck(15, true)), Dm, "Bob rolled a hidden 17 on 1d20, passes DC 15" },
        { Roll(formula: "1d20", hidden: true, revealed: true), Player, "Bob's hidden roll is revealed: 17 on 1d20" },
    };

    [Theory]
    [MemberData(nameof(Sentences))]
    public void A_roll_is_announced_in_one_short_sentence(Roll roll, Viewer viewer, string sentence) =>
        Assert.Equal(sentence, RollAnnouncement.For(new RollEntryModel(roll, viewer)));

    [Fact]
    public async Task Rows_carry_their_sentence_and_a_hidden_roll_tells_players_no_value_anywhere()
    {
        using var dm = App.NewBrowser("DmBrowser/1.0");
        using var player = App.NewBrowser("PlayerBrowser/1.0");
        var code = await dm.CreateRoomAsync("Dee", "dm-led");
        await player.JoinAsync(code, "Pat");
        await dm.HtmxPostAsync($"/rooms/{code}/dc", ("dc", "15"));
        await using var stream = await SseReader.OpenAsync(player.Client, $"/rooms/{code}/events?after=0");

        var hidden = await dm.HtmxPostAsync($"/rooms/{code}/rolls", ("die", "20"), ("count", "1"), ("modifier", "0"), ("advantage", "none"), ("hidden", "true"));
        var open = await player.HtmxPostAsync($"/rooms/{code}/rolls", ("dice", "2d6"), ("modifier", "1"), ("advantage", "none"));
        var live = await stream.NextOfTypeAsync("roll", 2);
        var page = await player.GetAsync($"/rooms/{code}");

        Assert.Equal(HttpStatusCode.OK, hidden.Status);
        var dmRow = hidden.Document.QuerySelector("[data-roll-id]")!;
        var total = dmRow.GetAttribute("data-total")!;
        var passes = dmRow.GetAttribute("data-dc-passed") == "true" ? "passes" : "fails";
        Assert.Equal($"Dee rolled a hidden {total} on 1d20, {passes} DC 15", dmRow.GetAttribute("data-announce"));
        var openTotal = open.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-total")!;
        var openPasses = int.Parse(openTotal, System.Globalization.CultureInfo.InvariantCulture) >= 15 ? "passes" : "fails";
        Assert.Equal($"Pat rolled {openTotal} on 2d6+1, {openPasses} DC 15", open.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-announce"));

        var liveRow = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(live[0].Data).QuerySelector("[data-roll-id]")!;
        Assert.Equal("Dee rolled a hidden 1d20", liveRow.GetAttribute("data-announce"));
        Assert.Equal("Dee rolled a hidden 1d20", page.FeedRolls[^1].GetAttribute("data-announce"));
        Assert.Equal(page.FeedRolls[0].GetAttribute("data-announce"), open.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-announce"));
    }
}
