using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>What every <see cref="ISavedRolls"/> must do (each member's saved rolls, kept with the room), written once and run on every backend.</summary>
public abstract class SavedRollsContract(StoreBackend backend) : StoreContract(backend)
{
    private const int Max = 3;

    [Fact]
    public async Task Saved_rolls_are_kept_per_member_in_order_and_a_name_saved_again_is_replaced_in_its_place()
    {
        var (room, alice) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, bob, 8, Now));

        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll("Longsword", "1d20+5"), Max, Now));
        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll("Fireball", "8d6", "none", Hidden: true), Max, Now));
        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll("LONGSWORD", "1d20+6", "advantage"), Max, Now));
        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, bob.PlayerId, new SavedRoll("Dagger", "1d4+2"), Max, Now));

        Assert.Equal([new SavedRoll("LONGSWORD", "1d20+6", "advantage"), new SavedRoll("Fireball", "8d6", "none", true)],
            await OtherInstance.GetSavedRollsAsync(room.Code, alice.PlayerId));
        Assert.Equal([new SavedRoll("Dagger", "1d4+2")], await Store.GetSavedRollsAsync(room.Code, bob.PlayerId));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, "someone-else"));
    }

    [Fact]
    public async Task Names_and_formulas_come_back_exactly_as_saved_whatever_their_characters()
    {
        var (room, alice) = await CreateRoomAsync();
        var odd = new SavedRoll("Épée \"du roi\" ⚔ {x}", "3d6 [fire] + 1d4 [piercing] \\ ü");

        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, odd, Max, Now));
        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, odd with { Formula = "1d20" }, Max, Now));

        Assert.Equal([odd with { Formula = "1d20" }], await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));
        Assert.True(await Store.RemoveSavedRollAsync(room.Code, alice.PlayerId, "ÉPÉE \"DU ROI\" ⚔ {X}", Now));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));
    }

    [Fact]
    public async Task A_new_name_beyond_the_most_allowed_is_refused_and_changes_nothing_but_a_saved_name_may_still_change()
    {
        var (room, alice) = await CreateRoomAsync();
        for (var i = 0; i < Max; i++)
        {
            Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll($"Roll {i}", "1d20"), Max, Now));
        }

        Assert.Equal(SaveRollOutcome.Full, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll("One more", "1d6"), Max, Now));
        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll("Roll 1", "2d6"), Max, Now));

        Assert.Equal(["Roll 0:1d20", "Roll 1:2d6", "Roll 2:1d20"], (await Store.GetSavedRollsAsync(room.Code, alice.PlayerId)).Select(r => $"{r.Name}:{r.Formula}"));
    }

    [Fact]
    public async Task Only_a_member_of_a_live_room_can_save_and_removing_an_unknown_name_is_refused()
    {
        var (room, alice) = await CreateRoomAsync();

        Assert.Equal(SaveRollOutcome.NotMember, await Store.SaveRollAsync(room.Code, "someone-else", new SavedRoll("Dagger", "1d4"), Max, Now));
        Assert.Equal(SaveRollOutcome.NotMember, await Store.SaveRollAsync(UniqueCode(), alice.PlayerId, new SavedRoll("Dagger", "1d4"), Max, Now));
        Assert.False(await Store.RemoveSavedRollAsync(room.Code, alice.PlayerId, "Dagger", Now));
        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll("Dagger", "1d4"), Max, Now));
        Assert.False(await Store.RemoveSavedRollAsync(room.Code, alice.PlayerId, "Dagge", Now));
        Assert.False(await Store.RemoveSavedRollAsync(UniqueCode(), alice.PlayerId, "Dagger", Now));

        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, "someone-else"));
        Assert.Equal([new SavedRoll("Dagger", "1d4")], await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));
        Assert.True(await Store.RemoveSavedRollAsync(room.Code, alice.PlayerId, "dagger", Now));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));
    }

    [Fact]
    public async Task A_member_who_leaves_or_is_kicked_takes_no_saved_rolls_back_on_rejoining_and_closing_the_room_removes_them_all()
    {
        var (room, alice) = await CreateRoomAsync();
        var bob = NewPlayer("Bob");
        var carol = NewPlayer("Carol");
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, bob, 8, Now));
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, carol, 8, Now));
        foreach (var player in new[] { alice, bob, carol })
        {
            Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, player.PlayerId, new SavedRoll("Dagger", "1d4"), Max, Now));
        }

        Assert.Equal(LeaveOutcome.Left, (await Store.LeaveAsync(room.Code, bob, Now)).Outcome);
        Assert.True(await Store.KickAsync(room.Code, carol, Now));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, bob.PlayerId));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, carol.PlayerId));
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, bob, 8, Now));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, bob.PlayerId));
        Assert.Single(await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));

        Assert.Equal(LeaveOutcome.Left, (await Store.LeaveAsync(room.Code, bob, Now)).Outcome);
        Assert.Equal(LeaveOutcome.RoomClosed, (await Store.LeaveAsync(room.Code, alice, Now)).Outcome);
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));

        // The same code made again starts with nobody's saved rolls (the closed room left nothing behind).
        var again = new Room(room.Code, RoomMode.Open, alice.PlayerId, null, null, Now, Now, 18000);
        Assert.True(await Store.TryCreateAsync(again, alice));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));
    }

    [Fact]
    public async Task Deleting_the_room_removes_every_saved_roll()
    {
        var (room, alice) = await CreateRoomAsync();
        Assert.Equal(SaveRollOutcome.Saved, await Store.SaveRollAsync(room.Code, alice.PlayerId, new SavedRoll("Dagger", "1d4"), Max, Now));

        await Store.DeleteAsync(room.Code);

        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));
        Assert.True(await Store.TryCreateAsync(room, alice));
        Assert.Empty(await Store.GetSavedRollsAsync(room.Code, alice.PlayerId));
    }
}

/// <summary>The saved-rolls contract on the in-process store.</summary>
public sealed class InMemorySavedRollsContractTests() : SavedRollsContract(StoreBackend.InMemory());

/// <summary>The saved-rolls contract on a real Valkey-compatible server.</summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeySavedRollsContractTests(ValkeyServer valkey) : SavedRollsContract(StoreBackend.Valkey(valkey));

/// <summary>The saved-rolls contract on a 6-node Valkey Cluster (3 primaries + 3 replicas), through the same endpoint list the app takes.</summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterSavedRollsContractTests(ValkeyClusterFixture cluster) : SavedRollsContract(StoreBackend.ValkeyCluster(cluster));
