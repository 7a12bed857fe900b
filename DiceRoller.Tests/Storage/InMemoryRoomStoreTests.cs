using DiceRoller.Rooms;
using DiceRoller.Storage;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Storage;

public sealed class InMemoryRoomStoreTests : RoomStoreContract
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public InMemoryRoomStoreTests() => Store = new InMemoryRoomStore(_clock, Options);

    protected override IRoomStore Store { get; }

    [Fact]
    public async Task A_room_expires_after_its_ttl_of_inactivity_and_activity_pushes_expiry_back()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);

        _clock.Advance(TimeSpan.FromSeconds(1700));
        await Store.AppendRollAsync(NewRoll(room.Code, creator), _clock.GetUtcNow().ToUnixTimeMilliseconds());
        _clock.Advance(TimeSpan.FromSeconds(1700));
        Assert.NotNull(await Store.GetAsync(room.Code));

        _clock.Advance(TimeSpan.FromSeconds(101));
        Assert.Null(await Store.GetAsync(room.Code));
        Assert.Equal(JoinOutcome.RoomNotFound, await Store.AddPlayerAsync(room.Code, NewPlayer("Bob"), 8, 0));
    }

    [Fact]
    public async Task An_expired_code_can_be_created_again()
    {
        var (room, _) = await CreateRoomAsync(ttl: 60);
        _clock.Advance(TimeSpan.FromSeconds(61));

        Assert.True(await Store.TryCreateAsync(room, NewPlayer("Carol")));
        Assert.Equal("Carol", (await Store.GetAsync(room.Code))!.Players.Single().Name);
    }

    [Fact]
    public async Task A_roll_request_id_is_forgotten_after_its_retention()
    {
        var (room, creator) = await CreateRoomAsync();
        var key = $"{creator.PlayerId}:old";
        await Store.ClaimRollRequestAsync(room.Code, key, 0, 60_000, 300_000);
        await Store.CompleteRollRequestAsync(room.Code, key, "roll-1", 300_000);

        _clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(RollRequestState.Done, (await Store.ClaimRollRequestAsync(room.Code, key, 0, 60_000, 300_000)).State);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(RollRequestState.Claimed, (await Store.ClaimRollRequestAsync(room.Code, key, 0, 60_000, 300_000)).State);
    }
}
