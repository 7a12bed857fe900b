using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Storage;

/// <summary>What only the in-process store does: its own clock for every TTL (the port contracts run on it too).</summary>
public sealed class InMemoryRoomStoreTests : StoreContract
{
    private readonly FakeTimeProvider _clock;

    public InMemoryRoomStoreTests()
        : this(new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private InMemoryRoomStoreTests(FakeTimeProvider clock)
        : base(StoreBackend.InMemory(clock)) => _clock = clock;

    [Fact]
    public async Task A_room_expires_after_its_ttl_of_inactivity_and_activity_pushes_expiry_back()
    {
        var (room, creator) = await CreateRoomAsync(RoomMode.DmLed, ttl: 1800);

        _clock.Advance(TimeSpan.FromSeconds(1700));
        await Store.AppendAsync(NewRoll(room.Code, creator), _clock.GetUtcNow().ToUnixTimeMilliseconds());
        _clock.Advance(TimeSpan.FromSeconds(1700));
        Assert.NotNull(await Store.GetAsync(room.Code));

        _clock.Advance(TimeSpan.FromSeconds(101));
        Assert.Null(await Store.GetAsync(room.Code));
        Assert.Equal(JoinOutcome.RoomNotFound, await JoinAsync(room.Code, NewPlayer("Bob"), 8, 0));
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
        var request = new RollRequest($"{creator.PlayerId}:old", 60_000, 300_000);
        var start = await StartAsync(room.Code, creator.PlayerId, request, now: 0);
        await Store.AppendChainedRollAsync(NewRoll(room.Code, creator) with
        {
            Sequence = 1,
            Proof = new RollProof("c", "seed", 1, 1, "", start.Ticket!.Head.Hash, new string('a', 64), "sig", "key"),
        }, 0, request);

        _clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(RollRequestState.Done, (await StartAsync(room.Code, creator.PlayerId, request, now: 0)).State);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(RollRequestState.Claimed, (await StartAsync(room.Code, creator.PlayerId, request, now: 0)).State);
    }
}
