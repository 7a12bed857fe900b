using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

[Collection(ValkeyCollection.Name)]
public sealed class ValkeyRoomStoreTests(ValkeyServer valkey) : RoomStoreContract, IDisposable
{
    private readonly Lazy<StackExchange.Redis.ConnectionMultiplexer> _otherConnection = new(() => StackExchange.Redis.ConnectionMultiplexer.Connect(valkey.ConnectionString));
    private IRoomStore? _other;

    protected override IRoomStore Store { get; } = new ValkeyRoomStore(valkey.Connection, Options, TimeProvider.System);

    /// <summary>A second app instance: its own connection to the same server (made before any concurrent use).</summary>
    protected override IRoomStore OtherInstance => _other ??= new ValkeyRoomStore(_otherConnection.Value, Options, TimeProvider.System);

    public void Dispose()
    {
        if (_otherConnection.IsValueCreated)
        {
            _otherConnection.Value.Dispose();
        }
    }

    [Fact]
    public async Task Every_room_key_starts_with_room_code_and_carries_the_rooms_ttl()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        await Store.AppendRollAsync(NewRoll(room.Code, creator), Now);
        var db = valkey.Connection.GetDatabase();
        var server = valkey.Connection.GetServers()[0];

        var keys = server.Keys(pattern: $"*{room.Code}*").Select(k => k.ToString()).Order().ToList();

        Assert.Equal([$"room:{{{room.Code}}}", $"room:{{{room.Code}}}:names", $"room:{{{room.Code}}}:players", $"room:{{{room.Code}}}:rolls"], keys);
        foreach (var key in keys)
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.InRange(ttl!.Value.TotalSeconds, 1790, 1800);
        }
    }

    [Fact]
    public async Task Activity_refreshes_the_ttl_of_every_room_key()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.Open, ttl: 18000);
        var db = valkey.Connection.GetDatabase();
        foreach (var key in ValkeyKeys.All(room.Code))
        {
            await db.KeyExpireAsync(key, TimeSpan.FromSeconds(5));
        }

        await Store.AppendRollAsync(NewRoll(room.Code, creator), Now);

        var existing = ValkeyKeys.All(room.Code).Where(k => db.KeyExists(k)).ToList();
        Assert.Equal(4, existing.Count);
        foreach (var key in existing)
        {
            Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 17990, 18000);
        }
    }

    [Fact]
    public async Task A_room_whose_keys_expired_is_gone()
    {
        var (room, _) = await CreateRoomAsync();
        await valkey.Connection.GetDatabase().KeyDeleteAsync(ValkeyKeys.All(room.Code));

        Assert.Null(await Store.GetAsync(room.Code));
        Assert.Equal(JoinOutcome.RoomNotFound, await Store.AddPlayerAsync(room.Code, NewPlayer("Bob"), 8, Now));
    }

    [Fact]
    public async Task A_roll_request_id_lives_under_the_rooms_hash_tag_and_expires_after_its_retention()
    {
        var (room, creator) = await CreateRoomAsync();
        var key = $"{creator.PlayerId}:req";

        await Store.ClaimRollRequestAsync(room.Code, key, Now, 60_000, 300_000);
        var claimedTtl = await valkey.Connection.GetDatabase().KeyTimeToLiveAsync($"room:{{{room.Code}}}:request:{key}");
        await Store.CompleteRollRequestAsync(room.Code, key, "roll-1", 120_000);
        var doneTtl = await valkey.Connection.GetDatabase().KeyTimeToLiveAsync($"room:{{{room.Code}}}:request:{key}");

        Assert.InRange(claimedTtl!.Value.TotalSeconds, 290, 300);
        Assert.InRange(doneTtl!.Value.TotalSeconds, 110, 120);
    }

    [Fact]
    public async Task Knocks_and_kicked_addresses_live_under_the_rooms_hash_tag_with_its_ttl_and_go_with_it()
    {
        var (room, _) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        var bob = NewPlayer("Bob");
        await Store.AddPlayerAsync(room.Code, bob, 8, Now);
        await Store.KickAsync(room.Code, bob, Now);
        await Store.SetLockedAsync(room.Code, true, Now);
        await Store.JoinOrKnockAsync(room.Code, NewKnock(room.Code, NewPlayer("Carol")), 8, 0, Now);
        var db = valkey.Connection.GetDatabase();

        foreach (var key in new[] { ValkeyKeys.Knocks(room.Code), ValkeyKeys.KickedAddresses(room.Code) })
        {
            Assert.StartsWith($"room:{{{room.Code}}}:", key.ToString(), StringComparison.Ordinal);
            Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 1790, 1800);
        }

        await Store.DeleteAsync(room.Code);
        Assert.False(await db.KeyExistsAsync(ValkeyKeys.Knocks(room.Code)));
        Assert.False(await db.KeyExistsAsync(ValkeyKeys.KickedAddresses(room.Code)));
    }

    [Fact]
    public async Task A_player_stored_before_device_ids_can_still_be_kicked()
    {
        var (room, _) = await CreateRoomAsync();
        var old = NewPlayer("Olga");
        var json = RoomJson.Serialize(old).Replace($"\"device_id\":\"{old.DeviceId}\",", "\"session_hash\":\"abc\",", StringComparison.Ordinal);
        await Store.AddPlayerAsync(room.Code, old, 8, Now);
        await valkey.Connection.GetDatabase().HashSetAsync(ValkeyKeys.Players(room.Code), old.PlayerId, json);

        var stored = (await Store.GetAsync(room.Code))!.FindPlayer(old.PlayerId)!;
        Assert.True(await Store.KickAsync(room.Code, stored, Now));
        Assert.True((await Store.GetAsync(room.Code))!.Bars(old.PlayerId, null));
    }
}
