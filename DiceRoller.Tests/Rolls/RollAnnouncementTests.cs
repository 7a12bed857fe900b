using System.Net;
using DiceRoller.Dice;
using DiceRoller.Rolls;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Rolls;

/// <summary>The one sentence a screen reader says for a new roll, and that it never tells a hidden value.</summary>
public sealed class RollAnnouncementTests(SharedApp shared) : AppTest(shared), IClassFixture<SharedApp>
{
    private static Roll Roll(int total = 17, string formula = "1d20+3", Advantage advantage = Advantage.None, bool hidden = false,
        bool revealed = false, DcCheck? dc = null) =>
        new("r1", "ALPHA-1234", 1, "bob", "Bob", 0, formula, 20, 1, 3, advantage, [total - 3], null, total, hidden, revealed, dc);

    private static readonly Viewer Player = new("pat", false, null);
    private static readonly Viewer Dm = new("dee", true, null);
    private static readonly Viewer Roller = new("bob", false, null);

    public static TheoryData<Roll, Viewer, string> Sentences => new()
    {
        { Roll(), Player, "Bob rolled 17: 1d20+3, die 14" },
        { Roll(dc: new DcCheck(15, true)), Player, "Bob rolled 17: 1d20+3, die 14, passes DC 15" },
        { Roll(total: 9, dc: new DcCheck(15, false)), Player, "Bob rolled 9: 1d20+3, die 6, fails DC 15" },
        { Roll(total: 23), Player, "Bob rolled 23: 1d20+3, die 20, Natural 20!" },
        { Roll(total: 4), Player, "Bob rolled 4: 1d20+3, die 1, Natural 1!" },
        { Roll(formula: "1d20", hidden: true, dc: new DcCheck(15, true)), Player, "Bob rolled in secret" },
        { Roll(formula: "1d20", hidden: true, dc: new DcCheck(15, true)), Roller, "Bob rolled a hidden 17: 1d20, die 14, passes DC 15" },
        { Roll(formula: "1d20", hidden: true, dc: new DcCheck(15, true)), Dm, "Bob rolled in secret" }, // a DM sees only their own hidden rolls
        { Roll(formula: "1d20", hidden: true, revealed: true), Player, "Revealed: Bob rolled 17: 1d20, die 14" },
        {
            Roll(formula: "1d20+3", advantage: Advantage.Disadvantage, dc: new DcCheck(10, true)) with { IndividualResults = [14, 18], KeptIndex = 0 },
            Player, "Bob rolled 17: 1d20+3 with disadvantage, dice 14 and 18 dropped, passes DC 10"
        },
        {
            Roll(total: 14, formula: "2d6+3") with
            {
                DiceType = 6, DiceCount = 2, IndividualResults = [5, 6], Label = "Longsword damage", DcCheck = new DcCheck(15, false),
                Terms = [new TermOutcome("2d6", [new RolledDie(5, DieFate.Kept), new RolledDie(6, DieFate.Kept)], 11), new TermOutcome("3", [], 3)],
            },
            Player, "Bob rolled 14 for Longsword damage: 2d6+3, dice 5 and 6"
        },
        {
            Roll(total: 2, formula: "4d6>=5") with
            {
                DiceType = 6, DiceCount = 4, Modifier = 0, IndividualResults = [5, 1, 6, 2, 3], Successes = 2, Label = "Pool",
                Terms = [new TermOutcome("4d6r1>=5", [new RolledDie(5, DieFate.Kept), new RolledDie(1, DieFate.Rerolled), new RolledDie(6, DieFate.Kept),
                    new RolledDie(2, DieFate.Kept), new RolledDie(3, DieFate.Kept)], 2, 2)],
            },
            Dm, "Bob rolled 2 for Pool: 4d6>=5, dice 5, 1 rerolled, 6, 2 and 3, 2 successes"
        },
        {
            Roll(formula: "1d20", hidden: true) with { Label = "Ambush" },
            Player, "Bob rolled in secret"
        },
    };

    [Theory]
    [MemberData(nameof(Sentences))]
    public void A_roll_is_announced_in_one_short_sentence(Roll roll, Viewer viewer, string sentence) =>
        Assert.Equal(sentence, RollAnnouncement.For(new RollEntryModel(roll, viewer)));

    [Fact]
    public async Task Rows_carry_their_sentence_and_a_hidden_roll_tells_players_no_value_anywhere()
    {
        await using var table = await Table.DmLed("Dee").Players("Pat").BuildAsync(App);
        var (code, dm, player) = table;
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
        var natural = dmRow.GetAttribute("data-crit") switch { "success" => ", Natural 20!", "failure" => ", Natural 1!", _ => "" };
        Assert.Equal($"Dee rolled a hidden {total}: 1d20, die {total}{natural}, {passes} DC 15", dmRow.GetAttribute("data-announce"));
        var openTotal = open.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-total")!;
        var openDice = open.Document.QuerySelectorAll("[data-roll-id] [data-die]").Select(d => d.GetAttribute("data-die")).ToList();
        Assert.Equal($"Pat rolled {openTotal}: 2d6+1, dice {openDice[0]} and {openDice[1]}", open.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-announce"));

        var liveRow = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(live[0].Data).QuerySelector("[data-roll-id]")!;
        Assert.Equal("Dee rolled in secret", liveRow.GetAttribute("data-announce"));
        Assert.Equal("Dee rolled in secret", page.FeedRolls[^1].GetAttribute("data-announce"));
        Assert.Equal(page.FeedRolls[0].GetAttribute("data-announce"), open.Document.QuerySelector("[data-roll-id]")!.GetAttribute("data-announce"));
    }
}
