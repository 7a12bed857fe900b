using DiceRoller.Rooms;

namespace DiceRoller.Tests.Storage;

/// <summary>A full history forgets the rolls it drops (on Valkey, their ids in the roll-id index too), on both stores.</summary>
public abstract partial class RollLogContract
{
    [Fact]
    public async Task A_roll_dropped_from_a_full_history_is_forgotten_and_one_still_kept_is_known()
    {
        var (room, alice) = await CreateRoomAsync();
        var head = Genesis;
        var appended = new List<Roll>();
        for (var i = 0; i < HistoryLimit + 3; i++)
        {
            var roll = ChainedOver(NewRoll(room.Code, alice), head);
            Assert.Equal(ChainedAppendStatus.Appended, (await Store.AppendChainedRollAsync(roll, Now, null)).Status);
            appended.Add(roll);
            head = new ChainHead(roll.Sequence, roll.Proof!.Hash);
        }

        // Sent again: the dropped first roll is unknown (its old head is stale), the oldest kept one answers as stored.
        var dropped = await Store.AppendChainedRollAsync(appended[2], Now, null);
        var kept = await Store.AppendChainedRollAsync(appended[3], Now, null);

        Assert.Equal((ChainedAppendStatus.Stale, head), (dropped.Status, dropped.Head));
        Assert.Equal((ChainedAppendStatus.Appended, 4L, appended[3].RollId), (kept.Status, kept.Stored!.Sequence, kept.Stored.RollId));
        Assert.Equal(HistoryLimit, (await Store.GetRollsAfterAsync(room.Code, 0, 10_000)).Count);
    }
}
