using DiceRoller.Dice;
using DiceRoller.Live;
using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DiceRoller.Tests.Live;

/// <summary>
/// A resync (sent to a room's open pages when the instance's Valkey subscription of the room comes up or back, after a window in
/// which events may have gone past) puts right what each page shows wrong (the roster, the DC; the door always), then sends the
/// rolls it has not had. The heartbeat here is ten minutes, so what arrives is a resync's doing, not a heartbeat's.
/// </summary>
public abstract class ResyncTests : AppTest
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Live:HeartbeatInterval"] = "00:10:00",
    };

    [Fact]
    public async Task A_resync_puts_right_the_roster_dc_and_door_and_sends_the_rolls_missed()
    {
        await using var table = await Table.DmLed("Dee").Players("Bob", "Cleo").BuildAsync(App);
        var (code, dee) = table;
        await using var stream = await SseReader.OpenAsync(dee.Client, $"/rooms/{code}/events?after=0");
        var store = App.Services.GetRequiredService<IRoomStore>();
        // What the page gets on connecting (the door comes after its roster and DC).
        await stream.NextOfTypeAsync("door-changed", 1);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var room = (await store.GetAsync(code))!;
        var bob = room.Players.Single(p => p.Name == "Bob");

        // The store changes with no event published (as when messages are lost while the subscription is down).
        Assert.True(await store.KickAsync(code, bob, now));
        Assert.True(await store.SetDcAsync(code, 14, now));
        Assert.True(await store.SetLockedAsync(code, true, now));
        await store.AppendAsync(new Roll(Guid.NewGuid().ToString(), code, 0, room.Players[0].PlayerId, "Dee", 0, "1d4", 4, 1, 0,
            Advantage.None, [3], null, 3, false, false, null), 0);
        App.Services.GetRequiredService<RoomBroadcaster>().ResyncAll();

        // Read until the page shows the store's state (each read waits at most 30 s). A Valkey instance also resyncs the room's
        // pages when its subscription of the room first comes up, which may happen before or after the changes above: either
        // resync brings the same state, and only a resync brings the DC, the lock and the roll (no event announced them).
        var shown = new ShownPanels("Bob");
        while (shown.Names is null || shown.Dc != "14" || shown.Locked != "true" || shown.Roll is null)
        {
            shown.Take(await stream.NextAsync());
        }

        Assert.Equal(["Dee", "Cleo"], shown.Names);
        Assert.Equal("1", shown.Roll);
        Assert.Empty(stream.Comments);
    }
}

public sealed class ResyncEmbeddedTests : ResyncTests;

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ResyncValkeyTests(ValkeyServer valkey) : ResyncTests
{
    protected override string? ValkeyConnection => valkey.ConnectionString;
}
