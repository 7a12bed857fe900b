using DiceRoller.Initiative;
using DiceRoller.Rooms;
using DiceRoller.Shared;

namespace DiceRoller.Tests.Initiative;

/// <summary>
/// A player's place held before their initiative roll (the claim): one roll per player even when two are sent at once, a claim
/// that never shows or takes a turn, counts for a full order, and is not trusted forever.
/// </summary>
public sealed class InitiativeClaimTests
{
    private const long T0 = 1_000_000;

    private static InitiativeEntry Player(string name, int total, string rollId) =>
        new(name.ToLowerInvariant(), name, total, 0, IsMonster: false, "p-" + name, rollId, Hidden: false, Order: 0);

    private static InitiativeEntry Monster(string name, int total) =>
        new(name.ToLowerInvariant().Replace(' ', '-'), name, total, 0, IsMonster: true, "p-Dee", "r-" + name, Hidden: false, Order: 0);

    private static Encounter Empty => InitiativeRules.Start("p-Dee", 1, 1);

    private static Encounter Ok(Result<Encounter> result)
    {
        Assert.Null(result.Error);
        return result.Value!;
    }

    private static Encounter Claimed(Encounter encounter, string player, string requestId, long now = T0) =>
        Ok(InitiativeRules.Claim(encounter, "p-" + player, requestId, now));

    [Fact]
    public void A_second_initiative_roll_of_a_player_while_the_first_is_being_rolled_is_refused()
    {
        var claimed = Claimed(Empty, "Bob", "tab-1");

        var second = InitiativeRules.Claim(claimed, "p-Bob", "tab-2", T0 + 5);
        var withoutId = InitiativeRules.Claim(claimed, "p-Bob", null, T0 + 5);

        Assert.Equal(ErrorCodes.InvalidInitiative, second.Error!.Code);
        Assert.Contains("being rolled already", second.Error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.InvalidInitiative, withoutId.Error!.Code);
        Assert.Single(claimed.Claims!);
    }

    [Fact]
    public void The_same_request_again_keeps_its_claim_and_changes_nothing()
    {
        var claimed = Claimed(Empty, "Bob", "tab-1");

        Assert.Same(claimed, Ok(InitiativeRules.Claim(claimed, "p-Bob", "tab-1", T0 + 5)));
    }

    [Fact]
    public void Two_requests_without_an_id_are_two_rolls_and_the_second_is_refused()
    {
        var claimed = Ok(InitiativeRules.Claim(Empty, "p-Bob", null, T0));

        Assert.Equal(ErrorCodes.InvalidInitiative, InitiativeRules.Claim(claimed, "p-Bob", null, T0 + 1).Error!.Code);
    }

    [Fact]
    public void A_player_in_the_order_already_gets_no_claim()
    {
        var entered = Ok(InitiativeRules.Enter(Claimed(Empty, "Bob", "tab-1"), Player("Bob", 14, "roll-1"), "tab-1", T0 + 10));

        var again = InitiativeRules.Claim(entered, "p-Bob", "tab-2", T0 + 20);

        Assert.Equal(ErrorCodes.InvalidInitiative, again.Error!.Code);
        Assert.Contains("in the order already (initiative 14)", again.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_request_that_took_a_place_sent_again_passes_and_its_entry_changes_nothing()
    {
        var entry = Player("Bob", 14, "roll-1") with { RequestId = "tab-1" };
        var entered = Ok(InitiativeRules.Enter(Claimed(Empty, "Bob", "tab-1"), entry, "tab-1", T0 + 10));

        // The retry is let through to the roll (which answers it with roll-1) and holds nothing.
        Assert.Same(entered, Ok(InitiativeRules.Claim(entered, "p-Bob", "tab-1", T0 + 20)));
        Assert.Same(entered, Ok(InitiativeRules.Enter(entered, entry with { EntryId = "other" }, "tab-1", T0 + 21)));

        // After the DM typed a total (the entry has no roll any more) the same request still adds nothing.
        var typed = entered with { Entries = [.. entered.Entries.Select(e => e with { RollId = null, Total = 9 })] };
        Assert.Same(typed, Ok(InitiativeRules.Enter(typed, entry with { EntryId = "other" }, "tab-1", T0 + 30)));

        // Another request of Bob's is a second roll: refused.
        Assert.Equal(ErrorCodes.InvalidInitiative, InitiativeRules.Claim(entered, "p-Bob", "tab-2", T0 + 20).Error!.Code);
        Assert.Equal(ErrorCodes.InvalidInitiative, InitiativeRules.Claim(entered, "p-Bob", null, T0 + 20).Error!.Code);
    }

    [Fact]
    public void A_claim_is_not_an_entry_it_shows_nowhere_and_gets_no_turn()
    {
        var claimed = Claimed(Empty, "Bob", "tab-1");

        Assert.Empty(claimed.Entries);
        Assert.Contains("Nobody", InitiativeRules.Next(claimed).Error!.Message, StringComparison.Ordinal);
        var withOgre = Ok(InitiativeRules.Next(Ok(InitiativeRules.Add(claimed, [Monster("Ogre", 12)], T0 + 1))));
        var round2 = Ok(InitiativeRules.Next(withOgre));
        Assert.Equal(("Ogre", 2), (round2.Current!.Name, round2.Round)); // Next never lands on the claim
        var model = new InitiativeModel("ALPHA-1234", round2, new Viewer("p-Ann", false, null));
        Assert.Equal(["Ogre"], model.Ordered.Select(e => e.Name));
        Assert.Empty(model.PlaceUnknown);
    }

    [Fact]
    public void The_roll_takes_the_place_its_claim_held_and_the_same_roll_again_changes_nothing()
    {
        var claimed = Claimed(Claimed(Empty, "Bob", "tab-1"), "Ann", "ann-1");

        var entered = Ok(InitiativeRules.Enter(claimed, Player("Bob", 14, "roll-1"), "tab-1", T0 + 10));

        Assert.Equal(["Bob"], entered.Entries.Select(e => e.Name));
        Assert.Equal(["p-Ann"], entered.Claims!.Select(c => c.PlayerId)); // Ann's roll still holds hers
        Assert.Same(entered, Ok(InitiativeRules.Enter(entered, Player("Bob", 14, "roll-1"), "tab-1", T0 + 20)));
    }

    [Fact]
    public void A_refused_roll_gives_its_place_back_and_only_its_own()
    {
        var claimed = Claimed(Claimed(Empty, "Bob", "tab-1"), "Ann", "ann-1");

        var released = InitiativeRules.Release(claimed, "p-Bob", "tab-1")!;

        Assert.Equal(["p-Ann"], released.Claims!.Select(c => c.PlayerId));
        Assert.Null(InitiativeRules.Release(released, "p-Bob", "tab-1")); // nothing held: nothing to save
        Assert.Null(InitiativeRules.Release(released, "p-Ann", "another-request"));
        Assert.Equal(2, Claimed(released, "Bob", "tab-2").Claims!.Count); // Bob may roll again
    }

    [Fact]
    public void A_claim_older_than_the_bound_is_taken_over_so_a_broken_off_request_locks_nobody_out()
    {
        var claimed = Claimed(Empty, "Bob", "crashed");

        Assert.NotNull(InitiativeRules.Claim(claimed, "p-Bob", "tab-2", T0 + InitiativeRules.ClaimTimeoutMs - 1).Error);
        var taken = Claimed(claimed, "Bob", "tab-2", T0 + InitiativeRules.ClaimTimeoutMs);

        Assert.Equal([("p-Bob", "tab-2")], taken.Claims!.Select(c => (c.PlayerId, c.RequestId!)));
    }

    [Fact]
    public void The_late_roll_of_a_claim_taken_over_does_not_give_the_player_two_places()
    {
        var taken = Claimed(Claimed(Empty, "Bob", "slow"), "Bob", "tab-2", T0 + InitiativeRules.ClaimTimeoutMs);

        var slow = Ok(InitiativeRules.Enter(taken, Player("Bob", 9, "roll-slow"), "slow", T0 + InitiativeRules.ClaimTimeoutMs + 1));
        var second = InitiativeRules.Enter(slow, Player("Bob", 17, "roll-2"), "tab-2", T0 + InitiativeRules.ClaimTimeoutMs + 2);

        Assert.Equal(ErrorCodes.InvalidInitiative, second.Error!.Code);
        Assert.Empty(InitiativeRules.Release(slow, "p-Bob", "tab-2")!.Claims!);
        Assert.Single(slow.Entries);
    }

    [Fact]
    public void A_full_order_counts_the_places_held()
    {
        var entries = Enumerable.Range(1, InitiativeRules.MaxEntries - 1).Select(i => Monster($"Rat {i}", i)).ToArray();
        var almost = Ok(InitiativeRules.Add(Empty, entries, T0));
        var held = Claimed(almost, "Bob", "tab-1");

        var ann = InitiativeRules.Claim(held, "p-Ann", "ann-1", T0 + 1);
        var monster = InitiativeRules.Add(held, [Monster("Ogre", 3)], T0 + 1);

        Assert.Contains("full", ann.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("1 being rolled", monster.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(InitiativeRules.MaxEntries, Ok(InitiativeRules.Enter(held, Player("Bob", 5, "roll-1"), "tab-1", T0 + 2)).Entries.Count);
        // Once the claim is past its bound it no longer counts.
        Assert.Null(InitiativeRules.Add(held, [Monster("Ogre", 3)], T0 + InitiativeRules.ClaimTimeoutMs).Error);
    }

    [Fact]
    public void The_claim_of_a_player_who_left_is_dropped()
    {
        var claimed = Claimed(Claimed(Empty, "Bob", "tab-1"), "Ann", "ann-1");

        var without = InitiativeRules.WithoutAbsent(claimed, ["p-Ann", "p-Dee"]);

        Assert.Equal(["p-Ann"], without.Claims!.Select(c => c.PlayerId));
        Assert.Same(claimed, InitiativeRules.WithoutAbsent(claimed, ["p-Bob", "p-Ann"]));
    }

    [Fact]
    public void An_encounter_saved_before_claims_existed_still_loads_and_takes_claims()
    {
        // As the previous version wrote it (RoomJson): no "claims" field.
        const string Saved = """
            {"started_by":"p-Dee","started_at":1,"room_created_at":1,"round":1,"current_entry_id":null,
             "entries":[{"entry_id":"e1","name":"Ann","total":12,"bonus":1,"is_monster":false,"player_id":"p-Ann","roll_id":"r1",
                         "hidden":false,"order":1,"roll_off":null}],"turn_changes":0,"next_order":2}
            """;

        var encounter = RoomJson.Deserialize<Encounter>(Saved)!;

        Assert.Null(encounter.Claims);
        Assert.Equal("Ann", encounter.EntryOfPlayer("p-Ann")!.Name);
        var claimed = Claimed(encounter, "Bob", "tab-1");
        var read = RoomJson.Deserialize<Encounter>(RoomJson.Serialize(claimed))!;
        Assert.Equal([new InitiativeClaim("p-Bob", "tab-1", T0)], read.Claims!);
    }
}
