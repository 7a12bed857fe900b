using DiceRoller.Dice;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// What every <see cref="IRoomStore"/> must do, written once and run against the in-process store and
/// against a real Valkey-compatible server.
/// </summary>
public abstract partial class RoomStoreContract
{
    protected const int HistoryLimit = 500;

    protected static IOptions<RoomOptions> Options => Microsoft.Extensions.Options.Options.Create(new RoomOptions { HistoryLimit = HistoryLimit });

    protected abstract IRoomStore Store { get; }

    /// <summary>The app's rate limiter beside <see cref="Store"/> (a room's roll limit is one of its counters).</summary>
    protected abstract IRateLimiter Limiter { get; }

    /// <summary>The same rooms as another app instance sees them (its own connection); the in-process store has only one.</summary>
    protected virtual IRoomStore OtherInstance => Store;

    protected static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A code no other test uses (codes are shared on the one Valkey server).</summary>
    protected static string UniqueCode() =>
        new string(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(6).Select(char.ToUpperInvariant).ToArray()).PadRight(3, 'X')
        + "-" + System.Security.Cryptography.RandomNumberGenerator.GetInt32(10_000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    protected static Player NewPlayer(string name) => new(Guid.NewGuid().ToString(), name, Now, Guid.NewGuid().ToString("N"), "hash", "address");

    protected static Knock NewKnock(string code, Player player, long? expiresAt = null) =>
        new(Guid.NewGuid().ToString(), code, player, Now, expiresAt ?? Now + 600_000, KnockState.Waiting);

    /// <summary>
    /// A plain join, through the production path: <see cref="IRoomDoor.JoinOrKnockAsync"/> with no address kick recent
    /// enough to knock (so it knocks only when the room is locked).
    /// </summary>
    protected Task<JoinOutcome> JoinAsync(string code, Player player, int maxPlayers, long now) =>
        Store.JoinOrKnockAsync(code, NewKnock(code, player), maxPlayers, kickedSince: long.MaxValue, now);

    protected async Task<(Room Room, Player Creator)> CreateRoomAsync(RoomMode mode = RoomMode.Open, int ttl = 18000)
    {
        var creator = NewPlayer("Alice");
        var room = new Room(UniqueCode(), mode, creator.PlayerId, mode == RoomMode.DmLed ? creator.PlayerId : null, null, Now, Now, ttl);
        Assert.True(await Store.TryCreateAsync(room, creator));
        return (room, creator);
    }

    protected static Roll NewRoll(string code, Player player, int total = 10) => new(
        Guid.NewGuid().ToString(), code, 0, player.PlayerId, player.Name, Now, "1d20", 20, 1, 0, Advantage.None,
        [total], null, total, Hidden: false, Revealed: false, DcCheck: null);

    /// <summary>Rolls compare field by field, the dice by value.</summary>
    protected static void AssertSameRoll(Roll expected, Roll actual) =>
        Assert.Equal(RoomJson.Serialize(expected), RoomJson.Serialize(actual));

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
        Assert.Null(await Store.AppendRollAsync(NewRoll(code, NewPlayer("Bob")), Now));
        Assert.Empty(await Store.GetRollsAfterAsync(code, 0, 10));
    }

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
    public async Task Appended_rolls_get_sequence_numbers_from_one_and_read_back_in_order()
    {
        var (room, creator) = await CreateRoomAsync();
        var stored = new List<Roll>();
        for (var i = 1; i <= 5; i++)
        {
            stored.Add((await Store.AppendRollAsync(NewRoll(room.Code, creator, i), Now))!);
        }

        Assert.Equal([1L, 2, 3, 4, 5], stored.Select(r => r.Sequence));
        var after = await Store.GetRollsAfterAsync(room.Code, 2, 10);
        Assert.Equal([3L, 4, 5], after.Select(r => r.Sequence));
        AssertSameRoll(stored[2], after[0]);
        Assert.Equal([5L, 4], (await Store.GetRollsBeforeAsync(room.Code, long.MaxValue, 2)).Select(r => r.Sequence));
        Assert.Equal([2L, 1], (await Store.GetRollsBeforeAsync(room.Code, 3, 10)).Select(r => r.Sequence));
        Assert.Equal([1L, 2], (await Store.GetRollsAfterAsync(room.Code, 0, 2)).Select(r => r.Sequence));
    }

    [Fact]
    public async Task A_stored_roll_keeps_every_field()
    {
        var (room, creator) = await CreateRoomAsync();
        var roll = NewRoll(room.Code, creator) with
        {
            DiceFormula = "1d20+5", Modifier = 5, Advantage = Advantage.Advantage, IndividualResults = [3, 18], KeptIndex = 1,
            Total = 23, DcCheck = new DcCheck(15, true), Hidden = true,
        };

        var stored = await Store.AppendRollAsync(roll, Now);
        var read = (await Store.GetRollsAfterAsync(room.Code, 0, 1)).Single();

        AssertSameRoll(roll with { Sequence = 1 }, stored!);
        AssertSameRoll(stored!, read);
        Assert.Equal([3, 18], read.IndividualResults);
    }

    [Fact]
    public async Task One_hundred_concurrent_rolls_from_eight_players_get_distinct_gap_free_sequences()
    {
        var (room, creator) = await CreateRoomAsync();
        var players = new List<Player> { creator };
        for (var i = 2; i <= 8; i++)
        {
            var p = NewPlayer($"P{i}");
            await JoinAsync(room.Code, p, 8, Now);
            players.Add(p);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => Store.AppendRollAsync(NewRoll(room.Code, players[i % 8], i % 20 + 1), Now))));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), results.Select(r => r!.Sequence).Order());
        var history = await Store.GetRollsAfterAsync(room.Code, 0, 1000);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), history.Select(r => r.Sequence));
        Assert.Equal(results.Select(r => r!.RollId).Order(), history.Select(r => r.RollId).Order());
    }

    [Fact]
    public async Task History_keeps_the_most_recent_rolls_up_to_its_limit()
    {
        var (room, creator) = await CreateRoomAsync();
        for (var i = 0; i < HistoryLimit + 20; i++)
        {
            await Store.AppendRollAsync(NewRoll(room.Code, creator), Now);
        }

        var history = await Store.GetRollsAfterAsync(room.Code, 0, 10_000);
        Assert.Equal(HistoryLimit, history.Count);
        Assert.Equal(21, history[0].Sequence);
        Assert.Equal(HistoryLimit + 20, history[^1].Sequence);
    }

    [Fact]
    public async Task Activity_updates_the_rooms_last_activity()
    {
        var (room, creator) = await CreateRoomAsync();
        var later = room.LastActivity + 60_000;

        await Store.AppendRollAsync(NewRoll(room.Code, creator), later);

        Assert.Equal(later, (await Store.GetAsync(room.Code))!.Room.LastActivity);
    }

    [Fact]
    public async Task Two_concurrent_promotions_make_exactly_one_dm_and_record_one_mode_change()
    {
        var (room, creator) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);
        await Store.AppendRollAsync(NewRoll(room.Code, creator), Now);

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
    public async Task A_roll_is_replaced_only_while_it_is_still_as_read()
    {
        var (room, creator) = await CreateRoomAsync();
        var hidden = (await Store.AppendRollAsync(NewRoll(room.Code, creator) with { Hidden = true }, Now))!;
        var read = (await Store.GetRollAsync(room.Code, hidden.RollId))!;

        Assert.True(await Store.ReplaceRollAsync(read, read with { Revealed = true }, Now));
        Assert.False(await Store.ReplaceRollAsync(read, read with { Revealed = true }, Now));
        Assert.True((await Store.GetRollAsync(room.Code, hidden.RollId))!.Revealed);
        Assert.Null(await Store.GetRollAsync(room.Code, Guid.NewGuid().ToString()));
        Assert.Single(await Store.GetRollsAfterAsync(room.Code, 0, 10));
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
        Assert.InRange((await Store.GetAsync(room.Code))!.ExpiresAt!.Value, left + 1_800_000 - 5_000, left + 1_800_000 + 5_000);
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
        await Store.AppendRollAsync(NewRoll(room.Code, creator), Now);

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
        await Store.AppendRollAsync(NewRoll(room.Code, dee), Now);
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

    // --- Provable fairness: the room seed, client seeds, nonces and the hash chain -----------------------------------

    [Fact]
    public async Task A_new_room_holds_a_secret_seed_whose_commitment_its_snapshot_shows()
    {
        var (room, _) = await CreateRoomAsync();

        var snapshot = await Store.GetAsync(room.Code);
        var seed = await Store.GetSeedAsync(room.Code);

        Assert.NotNull(seed);
        Assert.Equal(32, seed!.Seed.Length);
        Assert.Equal(32, seed.HiddenKey!.Length); // rules 2: the hidden key is kept beside the seed, and its root is committed
        Assert.Equal(DiceRoller.Fairness.RoomSeed.Commitment(seed.Seed, DiceRoller.Fairness.HiddenSecrets.Root(seed.HiddenKey)), seed.Commitment);
        Assert.Equal(seed.Commitment, snapshot!.Commitment);
        var (second, _) = await CreateRoomAsync();
        Assert.NotEqual((await Store.GetSeedAsync(second.Code))!.Commitment, seed.Commitment);
    }

    [Fact]
    public async Task A_client_seed_is_refused_for_a_non_member_and_a_rotation_for_a_gone_room()
    {
        var (room, _) = await CreateRoomAsync();

        Assert.False(await Store.SetClientSeedAsync(room.Code, "someone-else", "seed", Now));
        Assert.Empty((await Store.GetAsync(room.Code))!.ClientSeeds);
        Assert.Null(await Store.RotateSeedAsync(UniqueCode(), RoomSeedSecret.New(), Now));
    }

    [Fact]
    public async Task Rotating_returns_the_old_seed_and_commits_the_new_one()
    {
        var (room, _) = await CreateRoomAsync();
        var before = await Store.GetSeedAsync(room.Code);
        var fresh = RoomSeedSecret.New();

        var rotation = await Store.RotateSeedAsync(room.Code, fresh, Now);

        Assert.Equal(before!.Commitment, rotation!.Old!.Commitment);
        Assert.Equal(before.Seed, rotation.Old.Seed);
        Assert.Equal(fresh.Commitment, (await Store.GetAsync(room.Code))!.Commitment);
        Assert.Equal(fresh.Commitment, (await StartAsync(room.Code, "p"))!.Ticket!.Seed.Commitment);
        Assert.Equal(fresh.HiddenKey, (await Store.GetSeedAsync(room.Code))!.HiddenKey);
    }

    [Fact]
    public async Task A_client_seed_is_kept_with_the_commitment_current_when_it_was_set()
    {
        var (room, creator) = await CreateRoomAsync();
        var first = (await Store.GetSeedAsync(room.Code))!.Commitment;
        Assert.True(await Store.SetClientSeedAsync(room.Code, creator.PlayerId, "set-under-first", Now));

        var before = (await StartAsync(room.Code, creator.PlayerId)).Ticket!;
        var fresh = RoomSeedSecret.New();
        await Store.RotateSeedAsync(room.Code, fresh, Now);
        var after = (await StartAsync(room.Code, creator.PlayerId)).Ticket!;
        var snapshot = (await Store.GetAsync(room.Code))!;

        Assert.Equal(("set-under-first", first), (before.ClientSeed, before.ClientSeedCommitment));
        Assert.Equal(first, after.ClientSeedCommitment); // the store says when it was set; the roll path sees it is stale
        Assert.NotEqual(fresh.Commitment, after.ClientSeedCommitment);
        Assert.Equal(first, snapshot.ClientSeedCommitments[creator.PlayerId]);
        Assert.Null(snapshot.ClientSeedOf(creator.PlayerId));
        Assert.Null((await StartAsync(room.Code, "no-seed-set")).Ticket!.ClientSeedCommitment);
    }

    [Fact]
    public async Task Hidden_rolls_take_the_secrets_of_their_commitment_in_order_until_they_run_out_and_a_rotation_starts_again()
    {
        var (room, creator) = await CreateRoomAsync();
        Task<RollStart> HiddenAsync(bool hidden = true) => Store.StartRollAsync(room.Code, new RollAttempt(creator.PlayerId, null,
            new RollLimit($"roll:{room.Code}:{creator.PlayerId}", 10_000, RollWindow), "fallback-seed", false, RoomSeedSecret.New(), Now, hidden));

        Assert.Null((await HiddenAsync(hidden: false)).Ticket!.HiddenIndex);
        var indices = new List<int?>();
        for (var i = 0; i < DiceRoller.Fairness.HiddenSecrets.Count; i++)
        {
            indices.Add((await HiddenAsync()).Ticket!.HiddenIndex);
        }

        var nonceBefore = (await HiddenAsync(hidden: false)).Ticket!.Nonce;
        var usedUp = await HiddenAsync();
        var nonceAfter = (await HiddenAsync(hidden: false)).Ticket!.Nonce;
        await Store.RotateSeedAsync(room.Code, RoomSeedSecret.New(), Now);

        Assert.Equal(Enumerable.Range(0, DiceRoller.Fairness.HiddenSecrets.Count).Select(i => (int?)i), indices);
        Assert.Equal(RollRequestState.HiddenSecretsUsedUp, usedUp.State);
        Assert.Equal(nonceBefore + 1, nonceAfter); // the refused roll took no nonce
        Assert.Equal(0, (await HiddenAsync()).Ticket!.HiddenIndex);
    }
}
