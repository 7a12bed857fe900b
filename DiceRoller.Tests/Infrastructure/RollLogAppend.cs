using DiceRoller.Fairness;
using DiceRoller.Rooms;

namespace DiceRoller.Tests.Infrastructure;

/// <summary>
/// Puts a roll in a room's history the one way the app does (the roll service's path): start the roll, which takes the
/// member's nonce and the chain head, then append it chained over that head, again over the newer head when another roll
/// got there first. For tests that need rolls in a room without rolling dice through the form.
/// </summary>
public static class RollLogAppend
{
    /// <summary>Long enough that no window ends while a test runs; the limit is high enough never to matter.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Appends <paramref name="roll"/> (its sequence and proof are the store's and the chain's to set) as its player; the
    /// roll as stored, or null when the room is gone.
    /// </summary>
    public static async Task<Roll?> AppendAsync(this IRollLog log, Roll roll, long now)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(roll);
        var start = await log.StartRollAsync(roll.RoomCode, new RollAttempt(roll.PlayerId, null,
            new RollLimit($"roll:{roll.RoomCode}:{roll.PlayerId}", int.MaxValue, Window), "test-client-seed", false, RoomSeedSecret.New(), now));
        if (start.State == RollRequestState.RoomNotFound)
        {
            return null;
        }

        Assert.Equal(RollRequestState.Claimed, start.State);
        var ticket = start.Ticket!;
        var head = ticket.Head;
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var result = await log.AppendChainedRollAsync(Chained(roll, ticket, head), now, null);
            switch (result.Status)
            {
                case ChainedAppendStatus.Appended:
                    return result.Stored;
                case ChainedAppendStatus.RoomNotFound:
                    return null;
            }

            head = result.Head;
        }

        throw new InvalidOperationException($"Roll {roll.RollId} could not be chained in {roll.RoomCode}.");
    }

    /// <summary>The roll placed after <paramref name="head"/> with the ticket's nonce and seeds (signed with a stand-in signature).</summary>
    private static Roll Chained(Roll roll, RollTicket ticket, ChainHead head)
    {
        var sequence = head.Sequence + 1;
        var hash = RollHash.Compute(new RollHash.Input(head.Hash, roll.RollId, sequence, roll.PlayerId, roll.DiceFormula, roll.IndividualResults,
            roll.Total, ticket.ClientSeed, ticket.Nonce, ticket.Seed.Commitment, ""));
        return roll with
        {
            Sequence = sequence,
            Proof = new RollProof(ticket.Seed.Commitment, ticket.ClientSeed, ticket.Nonce, roll.IndividualResults.Count, "", head.Hash, hash, "sig", "key"),
        };
    }
}
