using DiceRoller.Initiative;
using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Initiative;

/// <summary>What every <see cref="IEncounters"/> must do, written once and run on the in-process store, Valkey and a Valkey Cluster.</summary>
public abstract class EncounterStoreContract
{
    protected static IOptions<RoomOptions> Options => Microsoft.Extensions.Options.Options.Create(new RoomOptions());

    protected abstract IRoomStore Rooms { get; }

    protected abstract IEncounters Encounters { get; }

    /// <summary>The same rooms as another app instance sees them; the in-process store has only one.</summary>
    protected virtual IEncounters OtherInstance => Encounters;

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string UniqueCode() =>
        "INI-" + System.Security.Cryptography.RandomNumberGenerator.GetInt32(100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    protected async Task<Room> CreateRoomAsync(int ttl = 1800)
    {
        var dm = new Player(Guid.NewGuid().ToString(), "Dee", Now, Guid.NewGuid().ToString("N"), "hash", "address");
        var room = new Room(UniqueCode(), RoomMode.DmLed, dm.PlayerId, dm.PlayerId, null, Now, Now, ttl);
        Assert.True(await Rooms.TryCreateAsync(room, dm));
        return room;
    }

    private static string Json(Encounter encounter) => RoomJson.Serialize(encounter);

    /// <summary>An encounter with every part: a hidden monster with a roll-off, a player, the turn, and a place held (a claim).</summary>
    private static Encounter Sample(Room room, int round = 1) => new("dm", Now, room.CreatedAt, round, "e1",
        [new InitiativeEntry("e1", "Goblin 1", 17, 2, IsMonster: true, "dm", "roll-1", Hidden: true, Order: 1, RollOff: 4),
         new InitiativeEntry("e2", "Bob", 9, -1, IsMonster: false, "bob", null, Hidden: false, Order: 2)], TurnChanges: 3, NextOrder: 3,
        Claims: [new InitiativeClaim("ann", "tab-1", 5)]);

    [Fact]
    public async Task A_room_without_an_encounter_reads_as_none_at_version_zero()
    {
        var room = await CreateRoomAsync();

        var state = await Encounters.GetEncounterAsync(room.Code);

        Assert.Equal(new EncounterState(null, 0), state);
    }

    [Fact]
    public async Task A_saved_encounter_reads_back_whole_on_every_instance()
    {
        var room = await CreateRoomAsync();
        var encounter = Sample(room);

        Assert.Equal(EncounterSave.Saved, await Encounters.SaveEncounterAsync(room.Code, 0, encounter, Now));
        var read = await OtherInstance.GetEncounterAsync(room.Code);

        Assert.Equal(1, read!.Version);
        Assert.Equal(Json(encounter), Json(read.Encounter!)); // records compare lists by reference
        Assert.Equal("Goblin 1", read.Encounter!.Current!.Name);
    }

    [Fact]
    public async Task A_save_over_a_version_that_moved_on_is_stale_and_changes_nothing()
    {
        var room = await CreateRoomAsync();
        Assert.Equal(EncounterSave.Saved, await Encounters.SaveEncounterAsync(room.Code, 0, Sample(room), Now));
        Assert.Equal(EncounterSave.Saved, await OtherInstance.SaveEncounterAsync(room.Code, 1, Sample(room, round: 2), Now));

        Assert.Equal(EncounterSave.Stale, await Encounters.SaveEncounterAsync(room.Code, 1, Sample(room, round: 9), Now));

        var read = await Encounters.GetEncounterAsync(room.Code);
        Assert.Equal((2L, 2), (read!.Version, read.Encounter!.Round));
    }

    [Fact]
    public async Task Ending_clears_the_encounter_and_the_version_never_goes_back()
    {
        var room = await CreateRoomAsync();
        await Encounters.SaveEncounterAsync(room.Code, 0, Sample(room), Now);

        Assert.Equal(EncounterSave.Saved, await Encounters.SaveEncounterAsync(room.Code, 1, null, Now));
        Assert.Equal(new EncounterState(null, 2), await Encounters.GetEncounterAsync(room.Code));
        // A tab that still holds version 0 (from before the first encounter) cannot start one over the ended one's history.
        Assert.Equal(EncounterSave.Stale, await Encounters.SaveEncounterAsync(room.Code, 0, Sample(room), Now));
    }

    [Fact]
    public async Task Concurrent_saves_over_the_same_version_let_exactly_one_through()
    {
        var room = await CreateRoomAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? Encounters : OtherInstance).SaveEncounterAsync(room.Code, 0, Sample(room, round: i + 1), Now)));

        Assert.Single(results, r => r == EncounterSave.Saved);
        Assert.Equal(1, (await Encounters.GetEncounterAsync(room.Code))!.Version);
    }

    [Fact]
    public async Task A_missing_room_has_no_encounter_and_takes_none()
    {
        Assert.Null(await Encounters.GetEncounterAsync("NOPE-0000"));
        Assert.Equal(EncounterSave.RoomNotFound, await Encounters.SaveEncounterAsync("NOPE-0000", 0, null, Now));
    }

    [Fact]
    public async Task The_encounter_goes_with_its_room()
    {
        var room = await CreateRoomAsync();
        await Encounters.SaveEncounterAsync(room.Code, 0, Sample(room), Now);

        await Rooms.DeleteAsync(room.Code);

        Assert.Null(await Encounters.GetEncounterAsync(room.Code));
    }
}

public sealed class InMemoryEncounterStoreTests : EncounterStoreContract
{
    private readonly InMemoryRoomStore _store = new(TimeProvider.System, Options);

    protected override IRoomStore Rooms => _store;

    protected override IEncounters Encounters => _store;
}

[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyEncounterStoreTests(ValkeyServer valkey) : EncounterStoreContract, IDisposable
{
    private readonly Lazy<StackExchange.Redis.ConnectionMultiplexer> _other = new(() => StackExchange.Redis.ConnectionMultiplexer.Connect(valkey.ConnectionString));
    private IEncounters? _otherEncounters;

    protected override IRoomStore Rooms { get; } = new ValkeyRoomStore(valkey.Connection, Options, TimeProvider.System);

    protected override IEncounters Encounters { get; } = new ValkeyEncounters(valkey.Connection);

    protected override IEncounters OtherInstance => _otherEncounters ??= new ValkeyEncounters(_other.Value);

    [Fact]
    public async Task The_encounter_key_lives_in_the_rooms_slot_with_the_rooms_ttl()
    {
        var room = await CreateRoomAsync(ttl: 1800);
        await Encounters.SaveEncounterAsync(room.Code, 0, null, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        var ttl = await valkey.Connection.GetDatabase().KeyTimeToLiveAsync(ValkeyKeys.Initiative(room.Code));

        Assert.StartsWith($"room:{{{room.Code}}}", ValkeyKeys.Initiative(room.Code).ToString(), StringComparison.Ordinal);
        Assert.InRange(ttl!.Value.TotalSeconds, 1790, 1800);
    }

    public void Dispose()
    {
        if (_other.IsValueCreated)
        {
            _other.Value.Dispose();
        }
    }
}

[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterEncounterStoreTests(ValkeyClusterFixture cluster) : EncounterStoreContract
{
    protected override IRoomStore Rooms { get; } = new ValkeyRoomStore(cluster.Cluster.Connection, Options, TimeProvider.System);

    protected override IEncounters Encounters { get; } = new ValkeyEncounters(cluster.Cluster.Connection);
}
