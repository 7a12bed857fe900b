using DiceRoller.Dice;
using DiceRoller.Fairness;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// What every <see cref="IRollLog"/> must do, written once and run on every backend: the history (sequences, every field kept,
/// its limit, replacing a roll) and the roll path's two steps, starting a roll and appending it over the chain head.
/// </summary>
public abstract partial class RollLogContract(StoreBackend backend) : StoreContract(backend)
{
    /// <summary>What the roll path does: hash over the head, append, and on a stale head hash again over the new one.</summary>
    private static async Task<Roll> AppendChainedAsync(IRoomStore store, Roll roll, ChainHead head, RollRequest? request = null)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var result = await store.AppendChainedRollAsync(ChainedOver(roll, head), Now, request);
            if (result.Status == ChainedAppendStatus.Appended)
            {
                return result.Stored!;
            }

            Assert.Equal(ChainedAppendStatus.Stale, result.Status);
            head = result.Head;
        }

        throw new InvalidOperationException("never appended");
    }

    private static Roll ChainedOver(Roll roll, ChainHead head)
    {
        var sequence = head.Sequence + 1;
        var hash = RollHash.Compute(new RollHash.Input(head.Hash, roll.RollId, sequence, roll.PlayerId,
            roll.DiceFormula, roll.IndividualResults, roll.Total, "seed", 1, "c", ""));
        return roll with { Sequence = sequence, Proof = new RollProof("c", "seed", 1, 1, "", head.Hash, hash, "sig", "key") };
    }

    private static readonly ChainHead Genesis = new(0, RollHash.Genesis);

    [Fact]
    public async Task Appended_rolls_get_sequence_numbers_from_one_and_read_back_in_order()
    {
        var (room, creator) = await CreateRoomAsync();
        var stored = new List<Roll>();
        for (var i = 1; i <= 5; i++)
        {
            stored.Add((await Store.AppendAsync(NewRoll(room.Code, creator, i), Now))!);
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

        var stored = await Store.AppendAsync(roll, Now);
        var read = (await Store.GetRollsAfterAsync(room.Code, 0, 1)).Single();

        AssertSameRoll(roll with { Sequence = 1 }, stored! with { Proof = null }); // the proof is the chain's (RollLogAppend)
        Assert.Equal(1, stored.Proof!.Nonce);
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
            .Select(i => Task.Run(() => Store.AppendAsync(NewRoll(room.Code, players[i % 8], i % 20 + 1), Now))));

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
            await Store.AppendAsync(NewRoll(room.Code, creator), Now);
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

        await Store.AppendAsync(NewRoll(room.Code, creator), later);

        Assert.Equal(later, (await Store.GetAsync(room.Code))!.Room.LastActivity);
    }

    [Fact]
    public async Task A_roll_is_replaced_only_while_it_is_still_as_read()
    {
        var (room, creator) = await CreateRoomAsync();
        var hidden = (await Store.AppendAsync(NewRoll(room.Code, creator) with { Hidden = true }, Now))!;
        var read = (await Store.GetRollAsync(room.Code, hidden.RollId))!;

        Assert.True(await Store.ReplaceRollAsync(read, read with { Revealed = true }, Now));
        Assert.False(await Store.ReplaceRollAsync(read, read with { Revealed = true }, Now));
        Assert.True((await Store.GetRollAsync(room.Code, hidden.RollId))!.Revealed);
        Assert.Null(await Store.GetRollAsync(room.Code, Guid.NewGuid().ToString()));
        Assert.Single(await Store.GetRollsAfterAsync(room.Code, 0, 10));
    }

    // --- The roll path's two steps: starting a roll (request id, roll limit, nonce and seeds in one atomic step) and appending it
    // over the chain head (with its request id recorded as done in the same step) ----------------------------------------

    [Fact]
    public async Task A_roll_request_id_is_claimed_once_and_its_append_makes_repeats_answer_its_roll()
    {
        var (room, creator) = await CreateRoomAsync();
        var request = Request($"{creator.PlayerId}:req-1");

        var first = await StartAsync(room.Code, creator.PlayerId, request);
        var whileRolling = await StartAsync(room.Code, creator.PlayerId, request);
        var stored = await AppendChainedAsync(Store, NewRoll(room.Code, creator), first.Ticket!.Head, request);
        var afterwards = await StartAsync(room.Code, creator.PlayerId, request);
        var otherId = await StartAsync(room.Code, creator.PlayerId, Request($"{creator.PlayerId}:req-2"));

        Assert.Equal(RollRequestState.Claimed, first.State);
        Assert.Equal(new RollStart(RollRequestState.InFlight), whileRolling);
        Assert.Equal(new RollStart(RollRequestState.Done, RollId: stored.RollId), afterwards);
        Assert.Equal(RollRequestState.Claimed, otherId.State);
        Assert.Equal([1L, 2L], [first.Ticket.Nonce, otherId.Ticket!.Nonce]);
    }

    [Fact]
    public async Task Concurrent_starts_of_one_roll_request_id_let_exactly_one_through_and_take_one_nonce()
    {
        var (room, creator) = await CreateRoomAsync();
        var request = Request($"{creator.PlayerId}:race");
        var other = OtherInstance; // connected before any concurrent use

        var starts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            StartAsync(room.Code, creator.PlayerId, request, store: i % 2 == 0 ? Store : other))));

        Assert.Single(starts, s => s.State == RollRequestState.Claimed);
        Assert.Equal(19, starts.Count(s => s.State == RollRequestState.InFlight));
        Assert.Equal(2, (await StartAsync(room.Code, creator.PlayerId)).Ticket!.Nonce);
    }

    [Fact]
    public async Task A_released_claim_can_be_started_again_but_a_completed_one_is_never_released()
    {
        var (room, creator) = await CreateRoomAsync();
        var request = Request($"{creator.PlayerId}:req");

        await StartAsync(room.Code, creator.PlayerId, request);
        await Store.ReleaseRollRequestAsync(room.Code, request.Key);
        var again = await StartAsync(room.Code, creator.PlayerId, request);
        var stored = await AppendChainedAsync(Store, NewRoll(room.Code, creator), again.Ticket!.Head, request);
        await Store.ReleaseRollRequestAsync(room.Code, request.Key);

        Assert.Equal(RollRequestState.Claimed, again.State);
        Assert.Equal(new RollStart(RollRequestState.Done, RollId: stored.RollId), await StartAsync(room.Code, creator.PlayerId, request));
    }

    [Fact]
    public async Task An_abandoned_claim_is_taken_over_after_its_time()
    {
        var (room, creator) = await CreateRoomAsync();
        var request = Request($"{creator.PlayerId}:crashed");
        var start = Now;

        await StartAsync(room.Code, creator.PlayerId, request, now: start);

        Assert.Equal(RollRequestState.InFlight, (await StartAsync(room.Code, creator.PlayerId, request, now: start + Minute - 1)).State);
        Assert.Equal(RollRequestState.Claimed, (await StartAsync(room.Code, creator.PlayerId, request, now: start + Minute)).State);
    }

    // --- A claim that made no roll gives its nonce back: no member's nonces skip one ---------------------------------------

    /// <summary>A start as the roll path makes it, hidden or not, with its own server-picked fallback seed.</summary>
    private Task<RollStart> ClaimAsync(string code, string playerId, RollRequest request, string fallback, long? now = null, bool hidden = false) =>
        Store.StartRollAsync(code, new RollAttempt(playerId, request, new RollLimit($"roll:{code}:{playerId}", 1000, RollWindow), fallback,
            KeepFallback: false, RoomSeedSecret.New(), now ?? Now, hidden));

    /// <summary>Appends a roll drawn with <paramref name="ticket"/> (its nonce in the proof), as the roll path does.</summary>
    private async Task<Roll> AppendWithNonceAsync(string code, Player player, RollTicket ticket, RollRequest request)
    {
        var roll = ChainedOver(NewRoll(code, player), ticket.Head);
        roll = roll with { Proof = roll.Proof! with { Nonce = ticket.Nonce } };
        var result = await Store.AppendChainedRollAsync(roll, Now, request);
        Assert.Equal(ChainedAppendStatus.Appended, result.Status);
        return result.Stored!;
    }

    [Fact]
    public async Task A_released_claim_sent_again_takes_the_same_nonce_hidden_index_and_server_picked_seed()
    {
        var (room, dm) = await CreateRoomAsync(RoomMode.DmLed);
        var request = Request($"{dm.PlayerId}:retry");
        var before = (await ClaimAsync(room.Code, dm.PlayerId, Request($"{dm.PlayerId}:before"), "seed-0")).Ticket!;
        await AppendWithNonceAsync(room.Code, dm, before, Request($"{dm.PlayerId}:before"));

        var first = (await ClaimAsync(room.Code, dm.PlayerId, request, "seed-1", hidden: true)).Ticket!;
        await Store.ReleaseRollRequestAsync(room.Code, request.Key);
        var again = await ClaimAsync(room.Code, dm.PlayerId, request, "seed-2", hidden: true);

        Assert.Equal(RollRequestState.Claimed, again.State);
        Assert.Equal((2L, (int?)0, "seed-1"), (first.Nonce, first.HiddenIndex, first.ServerClientSeed));
        Assert.Equal((2L, (int?)0, "seed-1", "seed-1"), (again.Ticket!.Nonce, again.Ticket.HiddenIndex, again.Ticket.ServerClientSeed, again.Ticket.ClientSeed));
        Assert.Equal(1, (await ClaimAsync(room.Code, dm.PlayerId, Request($"{dm.PlayerId}:next"), "seed-3", hidden: true)).Ticket!.HiddenIndex);
    }

    [Fact]
    public async Task An_abandoned_claim_taken_over_keeps_its_nonce_and_server_picked_seed()
    {
        var (room, creator) = await CreateRoomAsync();
        var request = Request($"{creator.PlayerId}:crashed");
        var start = Now;

        var first = (await ClaimAsync(room.Code, creator.PlayerId, request, "picked-first", now: start)).Ticket!;
        var takenOver = (await ClaimAsync(room.Code, creator.PlayerId, request, "picked-again", now: start + Minute)).Ticket!;
        await AppendWithNonceAsync(room.Code, creator, takenOver, request);
        var next = (await ClaimAsync(room.Code, creator.PlayerId, Request($"{creator.PlayerId}:next"), "picked-next")).Ticket!;

        Assert.Equal((1L, "picked-first"), (first.Nonce, first.ServerClientSeed));
        Assert.Equal((1L, "picked-first"), (takenOver.Nonce, takenOver.ServerClientSeed));
        Assert.Equal((2L, "picked-next"), (next.Nonce, next.ServerClientSeed));
    }

    [Fact]
    public async Task A_released_or_abandoned_nonce_goes_to_the_members_next_request_and_a_rolling_one_is_never_shared()
    {
        var (room, alice) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);
        var start = Now;

        // Released: Alice's next roll (another id) takes nonce 1; the released id sent after that gets a new one, never 1 again.
        await ClaimAsync(room.Code, alice.PlayerId, Request($"{alice.PlayerId}:failed"), "a", now: start);
        await Store.ReleaseRollRequestAsync(room.Code, $"{alice.PlayerId}:failed");
        var other = (await ClaimAsync(room.Code, alice.PlayerId, Request($"{alice.PlayerId}:other"), "b", now: start)).Ticket!;
        await AppendWithNonceAsync(room.Code, alice, other, Request($"{alice.PlayerId}:other"));
        var failedAgain = (await ClaimAsync(room.Code, alice.PlayerId, Request($"{alice.PlayerId}:failed"), "c", now: start)).Ticket!;

        // Still rolling (not abandoned): Bob's second request takes a nonce of its own; abandoned, the next one takes it over.
        var rolling = (await ClaimAsync(room.Code, bob.PlayerId, Request($"{bob.PlayerId}:one"), "d", now: start)).Ticket!;
        var meanwhile = (await ClaimAsync(room.Code, bob.PlayerId, Request($"{bob.PlayerId}:two"), "e", now: start + 1)).Ticket!;
        var afterDeath = (await ClaimAsync(room.Code, bob.PlayerId, Request($"{bob.PlayerId}:three"), "f", now: start + 1 + Minute)).Ticket!;

        Assert.Equal((1L, "a"), (other.Nonce, other.ServerClientSeed)); // nonce 1 draws with the seed picked for it
        Assert.Equal(2L, failedAgain.Nonce);
        Assert.Equal([1L, 2L, 2L], [rolling.Nonce, meanwhile.Nonce, afterDeath.Nonce]);
        Assert.Equal("e", afterDeath.ServerClientSeed);
    }

    [Fact]
    public async Task A_recorded_roll_whose_start_was_lost_raises_the_nonce_counter_so_its_nonce_is_never_taken_again()
    {
        var (room, alice) = await CreateRoomAsync();
        var ticket = (await ClaimAsync(room.Code, alice.PlayerId, Request($"{alice.PlayerId}:one"), "a")).Ticket!;

        // As a failover that lost the store's write of nonces 2 and 3 but not the roll drawn with nonce 3 leaves it.
        await AppendWithNonceAsync(room.Code, alice, ticket with { Nonce = 3 }, Request($"{alice.PlayerId}:one"));

        Assert.Equal(4L, (await ClaimAsync(room.Code, alice.PlayerId, Request($"{alice.PlayerId}:two"), "b")).Ticket!.Nonce);
    }

    [Fact]
    public async Task A_roll_in_a_room_that_is_gone_is_room_not_found()
    {
        Assert.Equal(new RollStart(RollRequestState.RoomNotFound), await StartAsync(UniqueCode(), "player", Request("player:req")));
        Assert.Equal(new RollStart(RollRequestState.RoomNotFound), await StartAsync(UniqueCode(), "player"));
    }

    [Fact]
    public async Task A_stale_append_leaves_its_request_rolling_until_the_append_over_the_new_head()
    {
        var (room, alice) = await CreateRoomAsync();
        var request = Request($"{alice.PlayerId}:late");
        var start = await StartAsync(room.Code, alice.PlayerId, request);
        await AppendChainedAsync(Store, NewRoll(room.Code, alice), Genesis);

        var stale = await Store.AppendChainedRollAsync(ChainedOver(NewRoll(room.Code, alice), start.Ticket!.Head), Now, request);
        var whileStale = await StartAsync(room.Code, alice.PlayerId, request);
        var stored = await AppendChainedAsync(Store, NewRoll(room.Code, alice), stale.Head, request);

        Assert.Equal(ChainedAppendStatus.Stale, stale.Status);
        Assert.Equal(RollRequestState.InFlight, whileStale.State);
        Assert.Equal(new RollStart(RollRequestState.Done, RollId: stored.RollId), await StartAsync(room.Code, alice.PlayerId, request));
    }

    [Fact]
    public async Task A_roll_over_the_limit_is_refused_and_claims_nothing_and_takes_no_nonce()
    {
        var (room, alice) = await CreateRoomAsync();
        var request = Request($"{alice.PlayerId}:third");

        var first = await StartAsync(room.Code, alice.PlayerId, limit: 2);
        var second = await StartAsync(room.Code, alice.PlayerId, limit: 2);
        var refused = await StartAsync(room.Code, alice.PlayerId, request, limit: 2);
        var later = await StartAsync(room.Code, alice.PlayerId, request, limit: 10);

        Assert.Equal([1L, 2L], [first.Ticket!.Nonce, second.Ticket!.Nonce]);
        Assert.Equal(RollRequestState.RateLimited, refused.State);
        Assert.Null(refused.Ticket);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(1), RollWindow);
        Assert.Equal(RollRequestState.Claimed, later.State);
        Assert.Equal(3, later.Ticket!.Nonce);
    }

    [Fact]
    public async Task Repeats_of_a_request_id_rolling_or_rolled_do_not_count_against_the_limit()
    {
        var (room, alice) = await CreateRoomAsync();
        var request = Request($"{alice.PlayerId}:once");

        var first = await StartAsync(room.Code, alice.PlayerId, request, limit: 1);
        var whileRolling = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => StartAsync(room.Code, alice.PlayerId, request, limit: 1)));
        await AppendChainedAsync(Store, NewRoll(room.Code, alice), first.Ticket!.Head, request);
        var done = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => StartAsync(room.Code, alice.PlayerId, request, limit: 1)));
        var next = await StartAsync(room.Code, alice.PlayerId, Request($"{alice.PlayerId}:next"), limit: 2);

        Assert.All(whileRolling, s => Assert.Equal(RollRequestState.InFlight, s.State));
        Assert.All(done, s => Assert.Equal(RollRequestState.Done, s.State));
        Assert.Equal(RollRequestState.Claimed, next.State);
    }

    [Fact]
    public async Task The_roll_limit_is_the_rate_limiters_counter_for_the_players_roll_key()
    {
        var (room, alice) = await CreateRoomAsync();
        var key = $"roll:{room.Code}:{alice.PlayerId}";

        Assert.True((await Limiter.TryAcquireAsync(key, 3, RollWindow)).Allowed);
        Assert.True((await Limiter.TryAcquireAsync(key, 3, RollWindow)).Allowed);
        var third = await StartAsync(room.Code, alice.PlayerId, limit: 3);
        var fourth = await StartAsync(room.Code, alice.PlayerId, limit: 3);
        var fifth = await Limiter.TryAcquireAsync(key, 3, RollWindow);

        Assert.Equal(RollRequestState.Claimed, third.State);
        Assert.Equal(RollRequestState.RateLimited, fourth.State);
        Assert.False(fifth.Allowed);
        Assert.InRange(fifth.RetryAfter, TimeSpan.FromMilliseconds(1), RollWindow);
    }

    [Fact]
    public async Task Nonces_count_from_1_per_member_and_the_client_seed_set_wins_over_the_fallback()
    {
        var (room, alice) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        await JoinAsync(room.Code, bob, 8, Now);

        var a1 = (await StartAsync(room.Code, alice.PlayerId, fallback: "alice-joined")).Ticket;
        var a2 = (await StartAsync(room.Code, alice.PlayerId, fallback: "alice-joined")).Ticket;
        var b1 = (await StartAsync(room.Code, bob.PlayerId, fallback: "bob-joined")).Ticket;
        Assert.True(await Store.SetClientSeedAsync(room.Code, alice.PlayerId, "my-own_seed", Now));
        var a3 = (await StartAsync(room.Code, alice.PlayerId, fallback: "alice-joined")).Ticket;

        Assert.Equal([1L, 2L, 1L, 3L], [a1!.Nonce, a2!.Nonce, b1!.Nonce, a3!.Nonce]);
        Assert.Equal(["alice-joined", "alice-joined", "bob-joined", "my-own_seed"], [a1.ClientSeed, a2.ClientSeed, b1.ClientSeed, a3.ClientSeed]);
        var seed = await Store.GetSeedAsync(room.Code);
        Assert.All([a1, a2, b1, a3], t => Assert.Equal(seed!.Commitment, t.Seed.Commitment));
        Assert.Equal(Genesis, a1.Head);
        var seeds = (await Store.GetAsync(room.Code))!.ClientSeeds;
        Assert.Equal("my-own_seed", seeds[alice.PlayerId]);
        Assert.False(seeds.ContainsKey(bob.PlayerId));
    }

    [Fact]
    public async Task A_member_from_before_client_seeds_keeps_the_fallback_for_good_and_a_non_member_gets_none_kept()
    {
        var (room, alice) = await CreateRoomAsync();

        var first = (await StartAsync(room.Code, alice.PlayerId, fallback: "made-at-first-roll", keepFallback: true)).Ticket;
        var second = (await StartAsync(room.Code, alice.PlayerId, fallback: "another", keepFallback: true)).Ticket;
        await StartAsync(room.Code, "not-a-member", fallback: "stray", keepFallback: true);

        Assert.Equal(["made-at-first-roll", "made-at-first-roll"], [first!.ClientSeed, second!.ClientSeed]);
        var seeds = (await Store.GetAsync(room.Code))!.ClientSeeds;
        Assert.Equal("made-at-first-roll", seeds[alice.PlayerId]);
        Assert.False(seeds.ContainsKey("not-a-member"));
    }

    [Fact]
    public async Task A_hundred_concurrent_rolls_of_one_member_from_two_instances_get_nonces_1_to_100()
    {
        var (room, alice) = await CreateRoomAsync();
        var other = OtherInstance; // connected before any concurrent use

        var starts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() =>
            StartAsync(room.Code, alice.PlayerId, store: i % 2 == 0 ? Store : other))));

        Assert.Equal(Enumerable.Range(1, 100).Select(n => (long)n), starts.Select(s => s.Ticket!.Nonce).Order());
    }

    [Fact]
    public async Task A_chained_append_over_a_stale_head_is_refused_with_the_current_head()
    {
        var (room, alice) = await CreateRoomAsync();
        var first = await AppendChainedAsync(Store, NewRoll(room.Code, alice), Genesis);

        var stale = NewRoll(room.Code, alice) with
        {
            Sequence = 1,
            Proof = new RollProof("c", "seed", 1, 1, "", RollHash.Genesis, new string('a', 64), "sig", "key"),
        };
        var refused = await Store.AppendChainedRollAsync(stale, Now, null);

        Assert.Equal(ChainedAppendStatus.Stale, refused.Status);
        Assert.Equal(new ChainHead(1, first.Proof!.Hash), refused.Head);
        Assert.Equal([first.RollId], (await Store.GetRollsAfterAsync(room.Code, 0, 10)).Select(r => r.RollId));
        Assert.Equal(ChainedAppendStatus.RoomNotFound, (await Store.AppendChainedRollAsync(stale with { RoomCode = UniqueCode() }, Now, null)).Status);
    }

    /// <summary>
    /// An append sent again (the client library re-sending it after a reconnect, or a retry) once it was appended: on its own
    /// head, and after other rolls moved the head on. Each time the history keeps the roll once, and the answer is the roll
    /// as stored, at its sequence, so the roll path neither chains it again nor tells anyone twice.
    /// </summary>

    [Fact]
    public async Task An_append_sent_again_adds_the_roll_once_and_answers_it_as_stored()
    {
        var (room, alice) = await CreateRoomAsync();
        var request = Request($"{alice.PlayerId}:again-1");
        var roll = ChainedOver(NewRoll(room.Code, alice), Genesis);
        var first = await Store.AppendChainedRollAsync(roll, Now, request);

        var again = await Store.AppendChainedRollAsync(roll, Now, request);
        var fromOther = await OtherInstance.AppendChainedRollAsync(roll, Now, request);
        var later = await AppendChainedAsync(Store, NewRoll(room.Code, alice), first.Head);
        var afterOthers = await Store.AppendChainedRollAsync(roll, Now, request);

        Assert.Equal(ChainedAppendStatus.Appended, first.Status);
        foreach (var answer in new[] { again, fromOther, afterOthers })
        {
            Assert.Equal(ChainedAppendStatus.Appended, answer.Status);
            Assert.Equal(roll.RollId, answer.Stored!.RollId);
            Assert.Equal(1, answer.Stored.Sequence);
            Assert.Equal(roll.Proof!.Hash, answer.Stored.Proof!.Hash);
        }

        var history = await Store.GetRollsAfterAsync(room.Code, 0, 10);
        Assert.Equal([(roll.RollId, 1L), (later.RollId, 2L)], history.Select(r => (r.RollId, r.Sequence)));
        var stale = await Store.AppendChainedRollAsync(ChainedOver(NewRoll(room.Code, alice), Genesis), Now, null);
        Assert.Equal((ChainedAppendStatus.Stale, new ChainHead(2, later.Proof!.Hash)), (stale.Status, stale.Head));
        Assert.Equal(RollRequestState.Done, (await StartAsync(room.Code, alice.PlayerId, request)).State);
    }

    [Fact]
    public async Task A_full_history_drops_its_oldest_chained_rolls_and_still_adds_a_roll_sent_again_once()
    {
        var (room, alice) = await CreateRoomAsync();
        var head = Genesis;
        Roll last = null!;
        for (var i = 0; i < HistoryLimit + 3; i++)
        {
            last = ChainedOver(NewRoll(room.Code, alice), head);
            Assert.Equal(ChainedAppendStatus.Appended, (await Store.AppendChainedRollAsync(last, Now, null)).Status);
            head = new ChainHead(last.Sequence, last.Proof!.Hash);
        }

        var again = await Store.AppendChainedRollAsync(last, Now, null);

        var history = await Store.GetRollsAfterAsync(room.Code, 0, 10_000);
        Assert.Equal(HistoryLimit, history.Count);
        Assert.Equal((4L, HistoryLimit + 3L), (history[0].Sequence, history[^1].Sequence));
        Assert.Equal((ChainedAppendStatus.Appended, HistoryLimit + 3L), (again.Status, again.Stored!.Sequence));
    }

    [Fact]
    public async Task Concurrent_rolls_from_two_instances_form_one_unbroken_chain()
    {
        var (room, alice) = await CreateRoomAsync();
        var other = OtherInstance;

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() =>
            AppendChainedAsync(i % 2 == 0 ? Store : other, NewRoll(room.Code, alice, total: (i % 20) + 1), Genesis))));

        var rolls = await Store.GetRollsAfterAsync(room.Code, 0, 100);
        Assert.Equal(Enumerable.Range(1, 30).Select(n => (long)n), rolls.Select(r => r.Sequence));
        var previous = RollHash.Genesis;
        foreach (var roll in rolls)
        {
            Assert.Equal(previous, roll.Proof!.PrevHash);
            Assert.Equal(RollHash.Compute(new RollHash.Input(previous, roll.RollId, roll.Sequence, roll.PlayerId,
                roll.DiceFormula, roll.IndividualResults, roll.Total, "seed", 1, "c", "")), roll.Proof.Hash);
            previous = roll.Proof.Hash;
        }
    }
}

/// <summary>The roll log contract on the in-process store.</summary>
public sealed class InMemoryRollLogContractTests() : RollLogContract(StoreBackend.InMemory());

/// <summary>The roll log contract on a real Valkey-compatible server.</summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyRollLogContractTests(ValkeyServer valkey) : RollLogContract(StoreBackend.Valkey(valkey));

/// <summary>The roll log contract on a 6-node Valkey Cluster (3 primaries + 3 replicas), through the same endpoint list the app takes.</summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterRollLogContractTests(ValkeyClusterFixture cluster) : RollLogContract(StoreBackend.ValkeyCluster(cluster));
