using System.Globalization;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace DiceRoller.Tests.Rooms;

/// <summary>
/// What a room costs in Valkey (MEMORY USAGE of every key, and INFO's used_memory), measured through the app: fresh
/// rooms, the same rooms with a typical evening's start (four players, twenty rolls), and one room at its history limit.
/// The default <c>Rooms:MaxRooms</c> of typical rooms must fit a quarter of compose's 256 MB Valkey.
/// </summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class RoomMemoryValkeyTests(ValkeyServer valkey, ITestOutputHelper output)
{
    private const int Rooms = 40;
    private const long ComposeValkeyBytes = 256L * 1024 * 1024;

    private IDatabase Db => valkey.Connection.GetDatabase(CapacityValkeyTests.Database);

    /// <summary>MEMORY USAGE (all elements: SAMPLES 0) summed over the database's keys: (room keys, every key).</summary>
    private async Task<(long Rooms, long All)> KeyBytesAsync()
    {
        var (rooms, all) = (0L, 0L);
        await foreach (var key in valkey.Connection.GetServers()[0].KeysAsync(CapacityValkeyTests.Database, "*"))
        {
            var bytes = (long)await Db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
            all += bytes;
            rooms += key.ToString().StartsWith("room:", StringComparison.Ordinal) ? bytes : 0;
        }

        return (rooms, all);
    }

    [Fact]
    public async Task A_typical_room_fits_the_default_capacity_into_a_quarter_of_composes_valkey()
    {
        await CapacityValkeyTests.EmptyAsync(valkey);
        await using var app = new AppFactory($"{valkey.ConnectionString},defaultDatabase={CapacityValkeyTests.Database}");
        var usedBefore = await RoomFloodValkeyTests.UsedMemoryAsync(valkey);

        var tables = new List<(string Code, Browser[] Players)>();
        for (var i = 0; i < Rooms; i++)
        {
            var dee = app.NewBrowser();
            tables.Add((await dee.CreateRoomAsync("Dee"), [dee, app.NewBrowser(), app.NewBrowser(), app.NewBrowser()]));
        }

        var fresh = await KeyBytesAsync();
        foreach (var (code, players) in tables)
        {
            string[] names = ["Dee", "Bob", "Ann", "Pat"];
            for (var p = 1; p < players.Length; p++)
            {
                await players[p].JoinAsync(code, names[p]);
            }

            for (var r = 0; r < 20; r++)
            {
                await players[r % players.Length].RollAsync(code, r % 2 == 0 ? "1d20" : "2d6", "3");
            }
        }

        var typical = await KeyBytesAsync();
        var usedTypical = await RoomFloodValkeyTests.UsedMemoryAsync(valkey);

        // One room at its history limit: eight players, Rooms:HistoryLimit rolls of 4d6.
        var busyDm = app.NewBrowser();
        var busy = await busyDm.CreateRoomAsync("Dee");
        var busyPlayers = new List<Browser> { busyDm };
        for (var p = 1; p < 8; p++)
        {
            busyPlayers.Add(app.NewBrowser());
            await busyPlayers[^1].JoinAsync(busy, $"Player{p}");
        }

        var historyLimit = new RoomOptions().HistoryLimit;
        for (var r = 0; r < historyLimit; r++)
        {
            await busyPlayers[r % busyPlayers.Count].RollAsync(busy, "4d6");
        }

        var withBusy = await KeyBytesAsync();
        var busyBytes = withBusy.Rooms - typical.Rooms;

        var maxRooms = new RoomOptions().MaxRooms;
        var typicalPerRoom = Math.Max(typical.All, usedTypical - usedBefore) / Rooms; // the larger of the two measures
        output.WriteLine($"fresh room (creator only): {fresh.Rooms / Rooms:N0} bytes of room keys, {fresh.All / Rooms:N0} with the app's other keys (limits, proofs, capacity set)");
        output.WriteLine($"typical room (4 players, 20 rolls): {typical.Rooms / Rooms:N0} bytes of room keys, {typical.All / Rooms:N0} with the app's other keys");
        output.WriteLine($"used_memory: {usedBefore:N0} -> {usedTypical:N0} for {Rooms} typical rooms (+{(usedTypical - usedBefore) / Rooms:N0} per room)");
        output.WriteLine($"busy room (8 players, {historyLimit} rolls of 4d6): {busyBytes:N0} bytes");
        output.WriteLine($"default Rooms:MaxRooms {maxRooms:N0} x typical = {maxRooms * typicalPerRoom / 1024 / 1024:N1} MB of compose's 256 MB; " +
            $"x busy = {maxRooms * busyBytes / 1024 / 1024:N0} MB");

        Assert.True(typicalPerRoom > 1000, $"a room measures {typicalPerRoom} bytes");
        Assert.True(maxRooms * typicalPerRoom <= ComposeValkeyBytes / 4,
            $"{maxRooms} typical rooms of {typicalPerRoom} bytes take more than a quarter of compose's Valkey");
        foreach (var (_, players) in tables)
        {
            Array.ForEach(players, p => p.Dispose());
        }

        busyPlayers.ForEach(p => p.Dispose());
    }
}
