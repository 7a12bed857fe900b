using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// What every <see cref="IRooms"/> must do (create, read, the DM's and admin's changes, leaving, presence, a room's lifetime),
/// written once and run on every backend.
/// </summary>
public abstract partial class RoomsContract(StoreBackend backend) : StoreContract(backend)
{
    /// <summary>A lonely room's TTL (nobody but its creator ever joined).</summary>
    private const int LonelyTtl = 1200;

    private async Task<(Room Room, Player Creator)> CreateLonelyRoomAsync(int fullTtl = 18000)
    {
        var creator = NewPlayer("Alice");
        var room = new Room(UniqueCode(), RoomMode.Open, creator.PlayerId, null, null, Now, Now, LonelyTtl) { FullTtlSeconds = fullTtl };
        Assert.True(await Store.TryCreateAsync(room, creator));
        return (room, creator);
    }

    /// <summary>The room's TTL, the TTL it waits for, and its expiry in whole minutes from now (the stores' clocks agree to the second).</summary>
    private async Task<(int Ttl, int? FullTtl, long MinutesLeft)> LifetimeAsync(string code)
    {
        var room = (await Store.GetAsync(code))!;
        return (room.Room.TtlSeconds, room.Room.FullTtlSeconds, (long)Math.Round((room.ExpiresAt!.Value - Now) / 60_000.0));
    }

    [Fact]
    public async Task A_created_room_reads_back_with_its_creator()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);

        var snapshot = await Store.GetAsync(room.Code);

        Assert.NotNull(snapshot);
        Assert.Equal(room with { LastActivity = snapshot!.Room.LastActivity }, snapshot.Room);
        Assert.Equal([creator], snapshot.Players);
    }

    [Fact]
    public async Task A_live_code_cannot_be_created_twice()
    {
        var (room, _) = await CreateRoomAsync();
        Assert.False(await Store.TryCreateAsync(room with { CreatorPlayerId = "someone" }, NewPlayer("Mallory")));
        Assert.Equal("Alice", (await Store.GetAsync(room.Code))!.Players.Single().Name);
    }

    [Fact]
    public async Task An_unknown_room_is_null_and_refuses_joins_and_rolls()
    {
        var code = UniqueCode();
        Assert.Null(await Store.GetAsync(code));
        Assert.Equal(JoinOutcome.RoomNotFound, await JoinAsync(code, NewPlayer("Bob"), 8, Now));
        Assert.Null(await Store.AppendAsync(NewRoll(code, NewPlayer("Bob")), Now));
        Assert.Empty(await Store.GetRollsAfterAsync(code, 0, 10));
    }

    [Fact]
    public async Task Two_concurrent_promotions_make_exactly_one_dm_and_record_one_mode_change()
    {
        var (room, creator) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);
        await Store.AppendAsync(NewRoll(room.Code, creator), Now);

        var outcomes = await Task.WhenAll(
            Store.PromoteAsync(room.Code, new ModeChange(Now, RoomMode.Open, RoomMode.DmLed, bob.PlayerId, creator.PlayerId, 0), 1800, Now),
            Store.PromoteAsync(room.Code, new ModeChange(Now, RoomMode.Open, RoomMode.DmLed, creator.PlayerId, creator.PlayerId, 0), 1800, Now));

        Assert.Single(outcomes, o => o == PromoteOutcome.Promoted);
        Assert.Single(outcomes, o => o == PromoteOutcome.AlreadyDmLed);
        var snapshot = (await Store.GetAsync(room.Code))!;
        Assert.Equal(RoomMode.DmLed, snapshot.Room.Mode);
        Assert.Equal(1800, snapshot.Room.TtlSeconds);
        var change = Assert.Single(snapshot.ModeChanges);
        Assert.Equal(snapshot.Room.DmPlayerId, change.DmPlayerId);
        Assert.Equal(1, change.AfterSequence);
        Assert.Equal(PromoteOutcome.RoomNotFound, await Store.PromoteAsync(UniqueCode(), change, 1800, Now));
    }

    [Fact]
    public async Task A_kicked_player_is_gone_and_neither_their_id_nor_their_device_may_join_again()
    {
        var (room, _) = await CreateRoomAsync();
        var bob = NewPlayer("Bob") with { DeviceId = "bobs-phone" };
        await JoinAsync(room.Code, bob, 8, Now);

        Assert.True(await Store.KickAsync(room.Code, bob, Now));
        Assert.False(await Store.KickAsync(room.Code, bob, Now));

        var snapshot = (await Store.GetAsync(room.Code))!;
        Assert.DoesNotContain(snapshot.Players, p => p.PlayerId == bob.PlayerId);
        Assert.True(snapshot.Bars(bob.PlayerId, null));
        Assert.True(snapshot.Bars(null, "bobs-phone"));
        Assert.False(snapshot.Bars(null, "someone-elses-phone"));
        Assert.Equal(JoinOutcome.Kicked, await JoinAsync(room.Code, NewPlayer("Robert") with { DeviceId = "bobs-phone" }, 8, Now));
        Assert.Equal(JoinOutcome.Kicked, await Store.JoinOrKnockAsync(room.Code, NewKnock(room.Code, NewPlayer("Rob") with { DeviceId = "bobs-phone" }), 8, 0, Now));
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, NewPlayer("Bob"), 8, Now));
    }

    [Fact]
    public async Task Dc_is_set_and_cleared()
    {
        var (room, _) = await CreateRoomAsync(RoomMode.DmLed);
        Assert.True(await Store.SetDcAsync(room.Code, 15, Now));
        Assert.Equal(15, (await Store.GetAsync(room.Code))!.Room.Dc);
        Assert.True(await Store.SetDcAsync(room.Code, null, Now));
        Assert.Null((await Store.GetAsync(room.Code))!.Room.Dc);
        Assert.False(await Store.SetDcAsync(UniqueCode(), 10, Now));
    }

    [Fact]
    public async Task Presence_counts_open_pages_per_player_until_they_expire_or_close()
    {
        var (room, creator) = await CreateRoomAsync();
        var later = Now + 60_000;
        await Store.SetPresenceAsync(room.Code, creator.PlayerId, "tab-1", later);
        await Store.SetPresenceAsync(room.Code, creator.PlayerId, "tab-2", later);
        await Store.SetPresenceAsync(room.Code, "someone-else", "tab-3", Now - 1000);

        var snapshot = (await Store.GetAsync(room.Code))!;
        Assert.True(snapshot.IsConnected(creator.PlayerId));
        Assert.False(snapshot.IsConnected("someone-else"));
        Assert.True(await Store.RemovePresenceAsync(room.Code, creator.PlayerId, "tab-1", Now));
        Assert.False(await Store.RemovePresenceAsync(room.Code, creator.PlayerId, "tab-2", Now));
        Assert.False((await Store.GetAsync(room.Code))!.IsConnected(creator.PlayerId));
    }

    [Fact]
    public async Task A_deleted_room_is_gone()
    {
        var (room, _) = await CreateRoomAsync();
        await Store.DeleteAsync(room.Code);
        Assert.Null(await Store.GetAsync(room.Code));
        Assert.Empty(await Store.GetRollsAfterAsync(room.Code, 0, 10));
    }

    [Fact]
    public async Task The_store_answers_a_ping() => Assert.True(await Store.PingAsync());

    [Fact]
    public async Task An_open_page_holds_the_room_past_its_ttl_and_the_clock_starts_when_the_last_page_leaves()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        var presenceEnds = Now + 45_000;

        await Store.SetPresenceAsync(room.Code, creator.PlayerId, "tab-1", presenceEnds);
        var held = (await Store.GetAsync(room.Code))!.ExpiresAt!.Value;
        Assert.InRange(held, presenceEnds + 1_800_000 - 5_000, presenceEnds + 1_800_000 + 1_000);

        await Store.SetPresenceAsync(room.Code, creator.PlayerId, "tab-2", presenceEnds);
        Assert.True(await Store.RemovePresenceAsync(room.Code, creator.PlayerId, "tab-1", Now));
        Assert.InRange((await Store.GetAsync(room.Code))!.ExpiresAt!.Value, held - 5_000, held + 5_000);

        var left = Now;
        Assert.False(await Store.RemovePresenceAsync(room.Code, creator.PlayerId, "tab-2", left));
        var expires = (await Store.GetAsync(room.Code))!.ExpiresAt!.Value;
        var read = Now;
        // The clock starts when the store takes the removal, somewhere between `left` and the read's answer: a loaded machine
        // (two full runs, a cluster) once put 5.3 s between them, past a bound that assumed the calls take no time.
        Assert.InRange(expires, left + 1_800_000 - 5_000, read + 1_800_000 + 5_000);
    }

    [Fact]
    public async Task A_player_who_leaves_frees_their_seat_and_name_at_once()
    {
        var (room, _) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, bob, 2, Now));
        await Store.SetPresenceAsync(room.Code, bob.PlayerId, "tab", Now + 60_000);
        Assert.True(await Store.SetContinueSealAsync(room.Code, bob.PlayerId, "seal", replace: false));
        Assert.Equal(JoinOutcome.RoomFull, await JoinAsync(room.Code, NewPlayer("Cy"), 2, Now));

        Assert.Equal(new LeaveResult(LeaveOutcome.Left), await Store.LeaveAsync(room.Code, bob, Now));

        var snapshot = (await Store.GetAsync(room.Code))!;
        Assert.Null(snapshot.FindPlayer(bob.PlayerId));
        Assert.False(snapshot.IsConnected(bob.PlayerId));
        Assert.False(snapshot.ContinueSeals.ContainsKey(bob.PlayerId));
        Assert.DoesNotContain(bob.PlayerId, snapshot.Kicked);
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, NewPlayer("Bob"), 2, Now));
        Assert.Equal(new LeaveResult(LeaveOutcome.PlayerNotFound), await Store.LeaveAsync(room.Code, bob, Now));
    }

    [Fact]
    public async Task The_creator_of_an_open_room_who_leaves_passes_the_rooms_rights_to_the_longest_present_member()
    {
        var (room, creator) = await CreateRoomAsync();
        var bob = NewPlayer("Bob") with { JoinedAt = Now + 1 };
        var cy = NewPlayer("Cy") with { JoinedAt = Now + 2 };
        await JoinAsync(room.Code, cy, 8, Now);
        await JoinAsync(room.Code, bob, 8, Now);

        Assert.Equal(new LeaveResult(LeaveOutcome.Left, bob.PlayerId), await Store.LeaveAsync(room.Code, creator, Now));

        Assert.Equal(bob.PlayerId, (await Store.GetAsync(room.Code))!.Room.CreatorPlayerId);
    }

    [Fact]
    public async Task In_a_dm_led_room_the_dm_hands_over_before_leaving_and_a_leaving_creator_passes_to_the_dm()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);

        Assert.Equal(new LeaveResult(LeaveOutcome.DmMustHandOver), await Store.LeaveAsync(room.Code, creator, Now));
        Assert.Equal(2, (await Store.GetAsync(room.Code))!.Players.Count);
        var change = new ModeChange(Now, RoomMode.DmLed, RoomMode.DmLed, bob.PlayerId, creator.PlayerId, 0);
        Assert.Equal(HandOverOutcome.HandedOver, await Store.HandOverDmAsync(room.Code, change, Now));

        Assert.Equal(new LeaveResult(LeaveOutcome.Left, bob.PlayerId), await Store.LeaveAsync(room.Code, creator, Now));
        var snapshot = (await Store.GetAsync(room.Code))!;
        Assert.Equal((bob.PlayerId, bob.PlayerId), (snapshot.Room.CreatorPlayerId, snapshot.Room.DmPlayerId));
    }

    [Fact]
    public async Task The_last_member_leaving_closes_the_room()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        await Store.AppendAsync(NewRoll(room.Code, creator), Now);

        Assert.Equal(new LeaveResult(LeaveOutcome.RoomClosed), await Store.LeaveAsync(room.Code, creator, Now));

        Assert.Null(await Store.GetAsync(room.Code));
        Assert.Empty(await Store.GetRollsAfterAsync(room.Code, 0, 10));
        Assert.Equal(new LeaveResult(LeaveOutcome.RoomNotFound), await Store.LeaveAsync(room.Code, creator, Now));
    }

    [Fact]
    public async Task The_dm_hands_the_role_to_a_member_once_and_the_hand_over_is_recorded_after_the_last_roll()
    {
        var (room, dee) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        var bob = NewPlayer("Bob");
        var cy = NewPlayer("Cy");
        await JoinAsync(room.Code, bob, 8, Now);
        await JoinAsync(room.Code, cy, 8, Now);
        await Store.AppendAsync(NewRoll(room.Code, dee), Now);
        var toBob = new ModeChange(Now, RoomMode.DmLed, RoomMode.DmLed, bob.PlayerId, dee.PlayerId, 0);
        var toCy = toBob with { DmPlayerId = cy.PlayerId };

        var outcomes = await Task.WhenAll(Store.HandOverDmAsync(room.Code, toBob, Now), Store.HandOverDmAsync(room.Code, toCy, Now));

        Assert.Single(outcomes, HandOverOutcome.HandedOver);
        Assert.Single(outcomes, HandOverOutcome.NotDm);
        var snapshot = (await Store.GetAsync(room.Code))!;
        var recorded = Assert.Single(snapshot.ModeChanges);
        Assert.Equal(snapshot.Room.DmPlayerId, recorded.DmPlayerId);
        Assert.True(recorded.IsHandOver);
        Assert.Equal(1, recorded.AfterSequence);
        Assert.Equal(HandOverOutcome.PlayerNotFound,
            await Store.HandOverDmAsync(room.Code, toBob with { InitiatedBy = snapshot.Room.DmPlayerId!, DmPlayerId = "nobody" }, Now));
    }

    [Fact]
    public async Task Only_a_dm_led_room_has_a_dm_to_hand_over()
    {
        var (room, alice) = await CreateRoomAsync(RoomMode.Open);
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);

        var outcome = await Store.HandOverDmAsync(room.Code, new ModeChange(Now, RoomMode.DmLed, RoomMode.DmLed, bob.PlayerId, alice.PlayerId, 0), Now);

        Assert.Equal(HandOverOutcome.NotDm, outcome);
        Assert.Equal(RoomMode.Open, (await Store.GetAsync(room.Code))!.Room.Mode);
        Assert.Equal(HandOverOutcome.RoomNotFound,
            await Store.HandOverDmAsync(UniqueCode(), new ModeChange(Now, RoomMode.DmLed, RoomMode.DmLed, bob.PlayerId, alice.PlayerId, 0), Now));
    }

    [Fact]
    public async Task A_continue_seal_is_kept_until_replaced_and_goes_with_a_kicked_player()
    {
        var (room, alice) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);

        Assert.True(await Store.SetContinueSealAsync(room.Code, bob.PlayerId, "first", replace: false));
        Assert.False(await Store.SetContinueSealAsync(room.Code, bob.PlayerId, "second", replace: false));
        Assert.Equal("first", (await Store.GetAsync(room.Code))!.ContinueSeals[bob.PlayerId]);
        Assert.True(await Store.SetContinueSealAsync(room.Code, bob.PlayerId, "renewed", replace: true));
        Assert.True(await Store.SetContinueSealAsync(room.Code, alice.PlayerId, "hers", replace: false));
        Assert.False(await Store.SetContinueSealAsync(room.Code, "nobody", "x", replace: true));
        Assert.Equal("renewed", (await Store.GetAsync(room.Code))!.ContinueSeals[bob.PlayerId]);

        await Store.KickAsync(room.Code, bob, Now);

        var seals = (await Store.GetAsync(room.Code))!.ContinueSeals;
        Assert.Equal(["hers"], seals.Values);
        Assert.Equal([alice.PlayerId], seals.Keys);
    }

    // --- A lonely room (nobody but its creator ever joined) on its short TTL, and how a second player ends it ---------------

    [Fact]
    public async Task A_lonely_room_lives_its_short_ttl_until_a_second_player_joins()
    {
        var (room, _) = await CreateLonelyRoomAsync();
        Assert.Equal((LonelyTtl, 18000, 20L), await LifetimeAsync(room.Code));

        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, NewPlayer("Bob"), 8, Now));

        Assert.Equal((18000, (int?)null, 300L), await LifetimeAsync(room.Code));
    }

    [Fact]
    public async Task A_join_through_the_door_ends_the_lonely_ttl_and_a_knock_does_not()
    {
        var (open, _) = await CreateLonelyRoomAsync();
        Assert.Equal(JoinOutcome.Joined, await Store.JoinOrKnockAsync(open.Code, NewKnock(open.Code, NewPlayer("Bob")), 8, 0, Now));
        Assert.Equal((18000, (int?)null, 300L), await LifetimeAsync(open.Code));

        var (locked, _) = await CreateLonelyRoomAsync();
        Assert.True(await Store.SetLockedAsync(locked.Code, true, Now));
        var knock = NewKnock(locked.Code, NewPlayer("Pat"));
        Assert.Equal(JoinOutcome.Knocking, await Store.JoinOrKnockAsync(locked.Code, knock, 8, 0, Now));
        Assert.Equal((LonelyTtl, 18000, 20L), await LifetimeAsync(locked.Code));
        Assert.Equal(KnockOutcome.Admitted, await Store.ResolveKnockAsync(locked.Code, knock.KnockId, admit: true, 8, Now));
        Assert.Equal((18000, (int?)null, 300L), await LifetimeAsync(locked.Code));
    }

    [Fact]
    public async Task A_lonely_room_made_dm_led_keeps_its_lonely_ttl_and_takes_the_dm_led_one_at_the_second_player()
    {
        var (room, creator) = await CreateLonelyRoomAsync();
        var change = new ModeChange(Now, RoomMode.Open, RoomMode.DmLed, creator.PlayerId, creator.PlayerId, 0);

        Assert.Equal(PromoteOutcome.Promoted, await Store.PromoteAsync(room.Code, change, 1800, Now));
        Assert.Equal((LonelyTtl, 1800, 20L), await LifetimeAsync(room.Code));
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, NewPlayer("Bob"), 8, Now));
        Assert.Equal((1800, (int?)null, 30L), await LifetimeAsync(room.Code));
    }
}

/// <summary>The rooms contract on the in-process store.</summary>
public sealed class InMemoryRoomsContractTests() : RoomsContract(StoreBackend.InMemory());

/// <summary>The rooms contract on a real Valkey-compatible server.</summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyRoomsContractTests(ValkeyServer valkey) : RoomsContract(StoreBackend.Valkey(valkey));

/// <summary>The rooms contract on a 6-node Valkey Cluster (3 primaries + 3 replicas), through the same endpoint list the app takes.</summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterRoomsContractTests(ValkeyClusterFixture cluster) : RoomsContract(StoreBackend.ValkeyCluster(cluster));
