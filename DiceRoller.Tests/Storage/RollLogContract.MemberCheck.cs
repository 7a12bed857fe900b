using DiceRoller.Rooms;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// The roll start's member check (<see cref="RollAttempt.SecretHash"/>), on both stores: the roll post may authenticate over a
/// room read kept a few seconds on its app instance, so the start itself refuses a member who is gone, whose secret is not the
/// one read, or who rolls hidden without being the DM any more, before it claims or counts anything.
/// </summary>
public abstract partial class RollLogContract
{
    private Task<RollStart> StartAsMemberAsync(string code, Player player, bool hidden = false, int limit = 1000, string? secretHash = null,
        RollRequest? request = null) =>
        Store.StartRollAsync(code, new RollAttempt(player.PlayerId, request, new RollLimit($"roll:{code}:{player.PlayerId}", limit, RollWindow),
            "fallback-seed", KeepFallback: false, RoomSeedSecret.New(), Now, hidden, secretHash ?? player.SecretHash));

    [Fact]
    public async Task A_roll_start_with_a_secret_that_is_not_the_members_claims_counts_and_takes_nothing()
    {
        var (room, _) = await CreateRoomAsync();
        var bob = NewPlayer("Bob") with { SecretHash = "bob-secret-hash" };
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, bob, 8, Now));

        var wrong = await StartAsMemberAsync(room.Code, bob, limit: 1, secretHash: "someone-elses-hash", request: Request($"{bob.PlayerId}:r1"));
        var stranger = await StartAsMemberAsync(room.Code, NewPlayer("Eve"), limit: 1);
        // Within a limit of one roll, with the same request id: the refused start counted, claimed and took nothing.
        var right = await StartAsMemberAsync(room.Code, bob, limit: 1, request: Request($"{bob.PlayerId}:r1"));

        Assert.Equal(RollRequestState.NotMember, wrong.State);
        Assert.Equal(RollRequestState.NotMember, stranger.State);
        Assert.Equal(RollRequestState.Claimed, right.State);
        Assert.Equal(1, right.Ticket!.Nonce);
    }

    [Fact]
    public async Task A_kicked_or_departed_member_cannot_start_a_roll_with_the_secret_they_had()
    {
        var (room, _) = await CreateRoomAsync();
        var bob = NewPlayer("Bob") with { SecretHash = "bob-secret-hash" };
        var ann = NewPlayer("Ann") with { SecretHash = "ann-secret-hash" };
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, bob, 8, Now));
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, ann, 8, Now));
        Assert.Equal(RollRequestState.Claimed, (await StartAsMemberAsync(room.Code, bob)).State);

        Assert.True(await Store.KickAsync(room.Code, bob, Now));
        Assert.Equal(LeaveOutcome.Left, (await Store.LeaveAsync(room.Code, ann, Now)).Outcome);

        Assert.Equal(RollRequestState.NotMember, (await StartAsMemberAsync(room.Code, bob)).State);
        Assert.Equal(RollRequestState.NotMember, (await StartAsMemberAsync(room.Code, ann)).State);
    }

    [Fact]
    public async Task A_hidden_roll_start_is_refused_to_a_member_who_is_not_the_DM_now()
    {
        var (room, dee) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);
        var bob = NewPlayer("Bob") with { SecretHash = "bob-secret-hash" };
        Assert.Equal(JoinOutcome.Joined, await JoinAsync(room.Code, bob, 8, Now));

        Assert.Equal(RollRequestState.NotMember, (await StartAsMemberAsync(room.Code, bob, hidden: true)).State);
        Assert.Equal(RollRequestState.Claimed, (await StartAsMemberAsync(room.Code, dee, hidden: true)).State);

        Assert.Equal(HandOverOutcome.HandedOver,
            await Store.HandOverDmAsync(room.Code, new ModeChange(Now, RoomMode.DmLed, RoomMode.DmLed, bob.PlayerId, dee.PlayerId, 0), Now));

        Assert.Equal(RollRequestState.NotMember, (await StartAsMemberAsync(room.Code, dee, hidden: true)).State);
        Assert.Equal(RollRequestState.Claimed, (await StartAsMemberAsync(room.Code, dee)).State);
        Assert.Equal(RollRequestState.Claimed, (await StartAsMemberAsync(room.Code, bob, hidden: true)).State);
    }

    [Fact]
    public async Task A_roll_start_in_a_closed_room_finds_no_room_even_with_the_members_secret()
    {
        var (room, alice) = await CreateRoomAsync();
        await Store.DeleteAsync(room.Code);

        Assert.Equal(RollRequestState.RoomNotFound, (await StartAsMemberAsync(room.Code, alice)).State);
    }
}
