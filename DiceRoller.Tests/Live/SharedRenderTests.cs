using DiceRoller.Dice;
using DiceRoller.Live;
using DiceRoller.Rolls;
using DiceRoller.Rooms;

namespace DiceRoller.Tests.Live;

/// <summary>
/// A live roll is rendered once per distinct view and the bytes are shared by every page that sees it that way.
/// These tests hold the roll row template to that: viewers with the same view key get the same bytes, and the keys
/// keep apart what must differ (a hidden value, the DM's own Reveal form and token).
/// </summary>
public sealed class SharedRenderTests
{
    private static Roll Roll(bool hidden = false, bool revealed = false) =>
        new("r1", "ALPHA-1234", 3, "bob", "Bob", 1_764_000_000_000, "1d20+3", 20, 1, 3, Advantage.None, [14], null, 17, hidden, revealed,
            new DcCheck(15, true), Label: "Stealth");

    private static readonly Viewer[] Viewers =
    [
        new("bob", false, "token-bob"),     // the roller
        new("pat", false, "token-pat"),     // another player
        new("ann", false, "token-ann"),     // a third one, with her own form token
        new("dee", true, "token-dee"),      // the DM
        new("dee2", true, "token-dee2"),    // the DM on another device (another token)
        new(null, false, null),             // anonymous
    ];

    private static async Task<string> RenderAsync(RollEntryModel entry) =>
        System.Text.Encoding.UTF8.GetString(await LiveEvent.RenderAsync(_RollEntry.Create(entry)));

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, true, true)]
    [InlineData(false, false, true)]
    public async Task Viewers_with_the_same_view_key_get_the_same_bytes_and_different_views_differ(bool hidden, bool revealed, bool outOfBand)
    {
        var roll = Roll(hidden, revealed);
        var renders = new List<(string Key, string Html, Viewer Viewer)>();
        foreach (var viewer in Viewers)
        {
            var entry = new RollEntryModel(roll, viewer, outOfBand);
            renders.Add((LiveEvent.RollViewKey(entry), await RenderAsync(entry), viewer));
        }

        foreach (var group in renders.GroupBy(r => r.Key))
        {
            Assert.Single(group.Select(r => r.Html).Distinct());
        }

        foreach (var group in renders.GroupBy(r => r.Html))
        {
            Assert.Single(group.Select(r => r.Key).Distinct());
        }
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(true, true, true)]
    [InlineData(false, false, true)]
    public async Task The_strip_line_sent_with_a_roll_or_a_reveal_is_the_same_for_viewers_with_the_same_view_key(bool hidden, bool revealed, bool outOfBand)
    {
        var roll = Roll(hidden, revealed);
        var renders = new List<(string Key, string Html)>();
        foreach (var viewer in Viewers.Where(v => v.PlayerId != roll.PlayerId)) // a roller's strip never shows their own roll
        {
            var entry = new RollEntryModel(roll, viewer, outOfBand);
            renders.Add((LiveEvent.RollViewKey(entry), System.Text.Encoding.UTF8.GetString(await LiveEvent.RenderAsync(_TableRoll.Create(entry)))));
        }

        Assert.All(renders.GroupBy(r => r.Key), group => Assert.Single(group.Select(r => r.Html).Distinct()));
        Assert.All(renders.GroupBy(r => r.Html), group => Assert.Single(group.Select(r => r.Key).Distinct()));
    }

    [Fact]
    public async Task A_hidden_roll_is_never_shared_between_those_who_may_see_its_value_and_those_who_may_not()
    {
        var roll = Roll(hidden: true);
        var other = new RollEntryModel(roll, new Viewer("pat", false, "token-pat"));
        var roller = new RollEntryModel(roll, new Viewer("bob", false, "token-bob"));
        var dm = new RollEntryModel(roll, new Viewer("dee", true, "token-dee"));

        // A hidden roll is its roller's: a DM who did not roll it sees what any other member sees.
        Assert.Equal(2, new[] { other, roller, dm }.Select(LiveEvent.RollViewKey).Distinct().Count());
        Assert.Equal(LiveEvent.RollViewKey(other), LiveEvent.RollViewKey(dm));
        Assert.DoesNotContain("17", await RenderAsync(other), StringComparison.Ordinal);
        Assert.DoesNotContain("17", await RenderAsync(dm), StringComparison.Ordinal);
        Assert.Contains("token-bob", await RenderAsync(roller), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shared_value_is_made_once_however_many_pages_ask_for_it()
    {
        var live = new LiveEvent(RoomEvent.ForRoll(Roll()));
        var made = 0;
        var gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var asks = Enumerable.Range(0, 8).Select(_ => live.Shared("k", () =>
        {
            Interlocked.Increment(ref made);
            return gate.Task;
        })).ToList();
        gate.SetResult("bytes");

        Assert.All(await Task.WhenAll(asks), v => Assert.Equal("bytes", v));
        Assert.Equal(1, made);
    }
}
