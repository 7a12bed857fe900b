using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>What only the Valkey store does: its keys, their TTLs and hash tags, its announcements (the port contracts run on it too).</summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyRoomStoreTests(ValkeyServer valkey) : StoreContract(StoreBackend.Valkey(valkey))
{
    [Fact]
    public async Task Every_room_key_starts_with_room_code_and_carries_the_rooms_ttl()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        await Store.AppendAsync(NewRoll(room.Code, creator), Now);
        var db = valkey.Connection.GetDatabase();
        var server = valkey.Connection.GetServers()[0];

        var keys = server.Keys(pattern: $"*{room.Code}*").Select(k => k.ToString()).Order(StringComparer.Ordinal).ToList();

        // The roll path also writes the roll ids and the roller's roll limit (the limit's window is its own, not the room's).
        var limit = ValkeyKeys.RateLimit($"roll:{room.Code}:{creator.PlayerId}").ToString();
        Assert.Equal(new[] { $"room:{{{room.Code}}}", $"room:{{{room.Code}}}:names", $"room:{{{room.Code}}}:players", limit,
            $"room:{{{room.Code}}}:roll_ids", $"room:{{{room.Code}}}:rolls" }.Order(StringComparer.Ordinal), keys);
        foreach (var key in keys.Where(k => k != limit))
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

        await Store.AppendAsync(NewRoll(room.Code, creator), Now);

        var existing = ValkeyKeys.All(room.Code).Where(k => db.KeyExists(k)).ToList();
        Assert.Equal(5, existing.Count); // meta, players, rolls, names and the roll ids the roll path writes
        foreach (var key in existing)
        {
            Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 17990, 18000);
        }
    }

    [Fact]
    public async Task Saved_rolls_live_in_the_rooms_slot_with_the_rooms_ttl_and_activity_refreshes_it()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.Open, ttl: 1800);
        var db = valkey.Connection.GetDatabase();
        var key = ValkeyKeys.SavedRolls(room.Code);

        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, creator.PlayerId, new SavedRoll("Longsword", "1d20+5"), 20, Now));
        Assert.Equal($"room:{{{room.Code}}}:saved", key.ToString());
        Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 1790, 1800);
        await db.KeyExpireAsync(key, TimeSpan.FromSeconds(5));
        await Store.AppendAsync(NewRoll(room.Code, creator), Now);

        Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 1790, 1800);
    }

    [Fact]
    public async Task A_room_whose_keys_expired_is_gone()
    {
        var (room, _) = await CreateRoomAsync();
        await valkey.Connection.GetDatabase().KeyDeleteAsync(ValkeyKeys.All(room.Code));

        Assert.Null(await Store.GetAsync(room.Code));
        Assert.Equal(JoinOutcome.RoomNotFound, await JoinAsync(room.Code, NewPlayer("Bob"), 8, Now));
    }

    [Fact]
    public async Task A_roll_request_id_lives_under_the_rooms_hash_tag_and_expires_after_its_retention_not_the_rooms_ttl()
    {
        var (room, creator) = await CreateRoomAsync(ttl: 18000);
        var request = new RollRequest($"{creator.PlayerId}:req", 60_000, 300_000);
        var key = $"room:{{{room.Code}}}:request:{request.Key}";
        var db = valkey.Connection.GetDatabase();

        var start = await StartAsync(room.Code, creator.PlayerId, request);
        var claimedTtl = await db.KeyTimeToLiveAsync(key);
        var appended = await Store.AppendChainedRollAsync(NewRoll(room.Code, creator) with
        {
            Sequence = 1,
            Proof = new RollProof("c", "seed", 1, 1, "", start.Ticket!.Head.Hash, new string('a', 64), "sig", "key"),
        }, Now, request with { KeepForMs = 120_000 });
        var doneTtl = await db.KeyTimeToLiveAsync(key);

        Assert.InRange(claimedTtl!.Value.TotalSeconds, 290, 300);
        Assert.Equal($"done|{appended.Stored!.RollId}", (string?)await db.StringGetAsync(key));
        Assert.InRange(doneTtl!.Value.TotalSeconds, 110, 120);
    }

    [Fact]
    public async Task A_roll_limit_of_another_room_is_refused_before_anything_is_sent()
    {
        var (room, creator) = await CreateRoomAsync();
        var elsewhere = new RollLimit($"roll:{UniqueCode()}:{creator.PlayerId}", 10, TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<ArgumentException>(() => Store.StartRollAsync(room.Code,
            new RollAttempt(creator.PlayerId, null, elsewhere, "seed", false, RoomSeedSecret.New(), Now)));
        Assert.Equal(1, (await StartAsync(room.Code, creator.PlayerId)).Ticket!.Nonce);
    }

    [Fact]
    public async Task A_chained_append_announces_its_roll_on_the_rooms_channel_and_a_stale_one_announces_nothing()
    {
        var (room, alice) = await CreateRoomAsync();
        var messages = await valkey.Connection.GetSubscriber().SubscribeAsync(ValkeyKeys.Events(room.Code));
        try
        {
            var genesis = new ChainHead(0, DiceRoller.Fairness.RollHash.Genesis);
            var first = await Store.AppendChainedRollAsync(Chained(NewRoll(room.Code, alice), genesis), Now, null);
            var stale = await Store.AppendChainedRollAsync(Chained(NewRoll(room.Code, alice), genesis), Now, null);
            var second = await Store.AppendChainedRollAsync(Chained(NewRoll(room.Code, alice), stale.Head), Now, null);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var heard = new[] { await messages.ReadAsync(timeout.Token), await messages.ReadAsync(timeout.Token) };

            Assert.True(first.Announced);
            Assert.False(stale.Announced);
            Assert.True(second.Announced);
            Assert.Equal([ValkeyKeys.EventMessage(RoomEvent.ForRoll(first.Stored!)), ValkeyKeys.EventMessage(RoomEvent.ForRoll(second.Stored!))],
                heard.Select(m => m.Message.ToString()));
        }
        finally
        {
            await messages.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task A_roll_that_must_reach_replicas_first_is_left_for_the_caller_to_announce()
    {
        var waiting = new ValkeyRoomStore(valkey.Connection, Options, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(
            new ValkeyOptions { RollReplicaAcks = 1, RollReplicaTimeout = TimeSpan.FromMilliseconds(1) }));
        var (room, alice) = await CreateRoomAsync();

        var appended = await waiting.AppendChainedRollAsync(Chained(NewRoll(room.Code, alice), new ChainHead(0, DiceRoller.Fairness.RollHash.Genesis)), Now, null);

        Assert.Equal(ChainedAppendStatus.Appended, appended.Status);
        Assert.False(appended.Announced);
    }

    private static Roll Chained(Roll roll, ChainHead head) => roll with
    {
        Sequence = head.Sequence + 1,
        Proof = new RollProof("c", "seed", 1, 1, "", head.Hash, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), "sig", "key"),
    };

    [Fact]
    public async Task Knocks_and_kicked_addresses_live_under_the_rooms_hash_tag_with_its_ttl_and_go_with_it()
    {
        var (room, _) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);
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
        await JoinAsync(room.Code, old, 8, Now);
        await valkey.Connection.GetDatabase().HashSetAsync(ValkeyKeys.Players(room.Code), old.PlayerId, json);

        var stored = (await Store.GetAsync(room.Code))!.FindPlayer(old.PlayerId)!;
        Assert.True(await Store.KickAsync(room.Code, stored, Now));
        Assert.True((await Store.GetAsync(room.Code))!.Bars(old.PlayerId, null));
    }
}
