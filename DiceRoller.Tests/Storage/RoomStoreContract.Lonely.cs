using DiceRoller.Rooms;

namespace DiceRoller.Tests.Storage;

/// <summary>A lonely room (nobody but its creator ever joined) on its short TTL, and how a second player ends it, on every store.</summary>
public abstract partial class RoomStoreContract
{
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
