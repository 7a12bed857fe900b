using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>What every <see cref="IRoomDoor"/> must do (joins, knocks, the lock, kicked addresses), written once and run on every backend.</summary>
public abstract partial class RoomDoorContract(StoreBackend backend) : StoreContract(backend)
{
    [Fact]
    public async Task Players_join_until_the_room_is_full_and_names_are_unique_ignoring_case()
    {
        var (room, _) = await CreateRoomAsync();
        Assert.Equal(JoinOutcome.NameTaken, await JoinAsync(room.Code, NewPlayer("ALICE"), 8, Now));
        for (var i = 2; i <= 8; i++)
        {
            Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, NewPlayer($"Player {i}"), 8, Now));
        }

        Assert.Equal(JoinOutcome.RoomFull, await JoinAsync(room.Code, NewPlayer("Ninth"), 8, Now));
        var players = (await Store.GetAsync(room.Code))!.Players;
        Assert.Equal(8, players.Count);
        Assert.Equal("Alice", players[0].Name);
    }

    [Fact]
    public async Task Concurrent_joins_never_overfill_a_room()
    {
        var (room, _) = await CreateRoomAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => JoinAsync(room.Code, NewPlayer($"P{i}"), 8, Now)));

        Assert.Equal(7, outcomes.Count(o => o == JoinOutcome.Joined));
        Assert.Equal(13, outcomes.Count(o => o == JoinOutcome.RoomFull));
        Assert.Equal(8, (await Store.GetAsync(room.Code))!.Players.Count);
    }

    [Fact]
    public async Task After_a_kick_joins_from_the_kicked_address_knock_until_the_window_is_over()
    {
        var (room, _) = await CreateRoomAsync();
        var bob = NewPlayer("Bob") with { AddressHash = "cafe-wifi" };
        await JoinAsync(room.Code, bob, 8, Now);
        var kickedAt = Now;
        Assert.True(await Store.KickAsync(room.Code, bob, kickedAt));

        var fromCafe = NewKnock(room.Code, NewPlayer("Carol") with { AddressHash = "cafe-wifi", JoinedAt = kickedAt + 10 });
        var fromHome = NewKnock(room.Code, NewPlayer("Dan") with { AddressHash = "home", JoinedAt = kickedAt + 20 });
        var later = NewKnock(room.Code, NewPlayer("Eve") with { AddressHash = "cafe-wifi", JoinedAt = kickedAt + 30 });

        // Distinct join times: the roster is in join order, and players who join in the same millisecond have no order.
        Assert.Equal(JoinOutcome.Knocking, await Store.JoinOrKnockAsync(room.Code, fromCafe, 8, kickedSince: kickedAt - 1000, kickedAt + 10));
        Assert.Equal(JoinOutcome.Joined, await Store.JoinOrKnockAsync(room.Code, fromHome, 8, kickedSince: kickedAt - 1000, kickedAt + 20));
        Assert.Equal(JoinOutcome.Joined, await Store.JoinOrKnockAsync(room.Code, later, 8, kickedSince: kickedAt + 1, kickedAt + 30));

        var snapshot = (await Store.GetAsync(room.Code))!;
        Assert.Equal(["Alice", "Dan", "Eve"], snapshot.Players.Select(p => p.Name));
        Assert.Equal(fromCafe, await Store.GetKnockAsync(room.Code, fromCafe.KnockId));
        Assert.Equal([fromCafe.KnockId], (await Store.GetWaitingKnocksAsync(room.Code, Now)).Select(k => k.KnockId));
    }

    [Fact]
    public async Task A_locked_room_makes_every_join_knock_and_unlocking_lets_people_straight_in()
    {
        var (room, _) = await CreateRoomAsync();

        Assert.True(await Store.SetLockedAsync(room.Code, true, Now));
        Assert.True((await Store.GetAsync(room.Code))!.Room.Locked);
        var knock = NewKnock(room.Code, NewPlayer("Bob"));
        Assert.Equal(JoinOutcome.Knocking, await Store.JoinOrKnockAsync(room.Code, knock, 8, 0, Now));
        Assert.Single((await Store.GetAsync(room.Code))!.Players);

        Assert.True(await Store.SetLockedAsync(room.Code, false, Now));
        Assert.False((await Store.GetAsync(room.Code))!.Room.Locked);
        Assert.Equal(JoinOutcome.Joined, await Store.JoinOrKnockAsync(room.Code, NewKnock(room.Code, NewPlayer("Carol")), 8, 0, Now));
        Assert.False(await Store.SetLockedAsync(UniqueCode(), true, Now));
        Assert.Equal(JoinOutcome.RoomNotFound, await Store.JoinOrKnockAsync(UniqueCode(), knock, 8, 0, Now));
    }

    [Fact]
    public async Task A_full_room_or_a_taken_name_is_refused_before_knocking()
    {
        var (room, _) = await CreateRoomAsync();
        await Store.SetLockedAsync(room.Code, true, Now);

        Assert.Equal(JoinOutcome.NameTaken, await Store.JoinOrKnockAsync(room.Code, NewKnock(room.Code, NewPlayer("alice")), 8, 0, Now));
        Assert.Equal(JoinOutcome.RoomFull, await Store.JoinOrKnockAsync(room.Code, NewKnock(room.Code, NewPlayer("Bob")), 1, 0, Now));
        Assert.Empty(await Store.GetWaitingKnocksAsync(room.Code, Now));
    }

    [Fact]
    public async Task Admitting_a_knock_makes_its_player_a_member_once()
    {
        var (room, _) = await CreateRoomAsync();
        await Store.SetLockedAsync(room.Code, true, Now);
        var knock = NewKnock(room.Code, NewPlayer("Bob"));
        await Store.JoinOrKnockAsync(room.Code, knock, 8, 0, Now);

        Assert.Equal(KnockOutcome.Admitted, await Store.ResolveKnockAsync(room.Code, knock.KnockId, admit: true, 8, Now + 10));
        Assert.Equal(KnockOutcome.KnockNotFound, await Store.ResolveKnockAsync(room.Code, knock.KnockId, admit: false, 8, Now + 10));

        var snapshot = (await Store.GetAsync(room.Code))!;
        Assert.Equal(["Alice", "Bob"], snapshot.Players.Select(p => p.Name));
        Assert.Equal(knock.Player.SecretHash, snapshot.FindPlayer(knock.Player.PlayerId)!.SecretHash);
        Assert.Equal(KnockState.Admitted, (await Store.GetKnockAsync(room.Code, knock.KnockId))!.State);
        Assert.Empty(await Store.GetWaitingKnocksAsync(room.Code, Now));
    }

    [Fact]
    public async Task Refusing_a_knock_keeps_its_player_out()
    {
        var (room, _) = await CreateRoomAsync();
        await Store.SetLockedAsync(room.Code, true, Now);
        var knock = NewKnock(room.Code, NewPlayer("Bob"));
        await Store.JoinOrKnockAsync(room.Code, knock, 8, 0, Now);

        Assert.Equal(KnockOutcome.Refused, await Store.ResolveKnockAsync(room.Code, knock.KnockId, admit: false, 8, Now));
        Assert.Equal(KnockOutcome.KnockNotFound, await Store.ResolveKnockAsync(room.Code, knock.KnockId, admit: true, 8, Now));

        Assert.Single((await Store.GetAsync(room.Code))!.Players);
        Assert.Equal(KnockState.Refused, (await Store.GetKnockAsync(room.Code, knock.KnockId))!.State);
    }

    [Fact]
    public async Task A_knock_is_admitted_only_while_there_is_room_and_its_name_is_free()
    {
        var (room, _) = await CreateRoomAsync();
        await Store.SetLockedAsync(room.Code, true, Now);
        var bob = NewKnock(room.Code, NewPlayer("Bob"));
        var otherBob = NewKnock(room.Code, NewPlayer("BOB"));
        var carol = NewKnock(room.Code, NewPlayer("Carol"));
        var lapsed = NewKnock(room.Code, NewPlayer("Dan"), expiresAt: Now + 1000);
        foreach (var knock in new[] { bob, otherBob, carol, lapsed })
        {
            Assert.Equal(JoinOutcome.Knocking, await Store.JoinOrKnockAsync(room.Code, knock, 8, 0, Now));
        }

        Assert.Equal(KnockOutcome.Admitted, await Store.ResolveKnockAsync(room.Code, bob.KnockId, admit: true, 8, Now + 10));
        Assert.Equal(KnockOutcome.NameTaken, await Store.ResolveKnockAsync(room.Code, otherBob.KnockId, admit: true, 8, Now));
        Assert.Equal(KnockOutcome.RoomFull, await Store.ResolveKnockAsync(room.Code, carol.KnockId, admit: true, 2, Now));
        Assert.Equal(KnockOutcome.KnockNotFound, await Store.ResolveKnockAsync(room.Code, lapsed.KnockId, admit: true, 8, Now + 2000));
        Assert.Equal(KnockOutcome.KnockNotFound, await Store.ResolveKnockAsync(room.Code, Guid.NewGuid().ToString(), admit: true, 8, Now));

        Assert.Equal(["Alice", "Bob"], (await Store.GetAsync(room.Code))!.Players.Select(p => p.Name));
        Assert.Equal(new[] { otherBob.KnockId, carol.KnockId }.Order(), (await Store.GetWaitingKnocksAsync(room.Code, Now + 2000)).Select(k => k.KnockId).Order());
    }

    [Fact]
    public async Task A_knock_on_a_device_kicked_meanwhile_is_not_admitted()
    {
        var (room, _) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);
        await Store.SetLockedAsync(room.Code, true, Now);
        var knock = NewKnock(room.Code, NewPlayer("Robert") with { DeviceId = bob.DeviceId });
        Assert.Equal(JoinOutcome.Knocking, await Store.JoinOrKnockAsync(room.Code, knock, 8, 0, Now));
        await Store.KickAsync(room.Code, bob, Now);

        Assert.Equal(KnockOutcome.Kicked, await Store.ResolveKnockAsync(room.Code, knock.KnockId, admit: true, 8, Now));
        Assert.Single((await Store.GetAsync(room.Code))!.Players);
        Assert.Equal(KnockOutcome.RoomNotFound, await Store.ResolveKnockAsync(UniqueCode(), knock.KnockId, admit: true, 8, Now));
    }
}

/// <summary>The door contract on the in-process store.</summary>
public sealed class InMemoryRoomDoorContractTests() : RoomDoorContract(StoreBackend.InMemory());

/// <summary>The door contract on a real Valkey-compatible server.</summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyRoomDoorContractTests(ValkeyServer valkey) : RoomDoorContract(StoreBackend.Valkey(valkey));

/// <summary>The door contract on a 6-node Valkey Cluster (3 primaries + 3 replicas), through the same endpoint list the app takes.</summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterRoomDoorContractTests(ValkeyClusterFixture cluster) : RoomDoorContract(StoreBackend.ValkeyCluster(cluster));
