using System.Diagnostics;
using DiceRoller.Rooms;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// What every limits port must do (<c>Rooms/Ports/Limits.cs</c>: <see cref="IRateLimiter"/>, <see cref="IRoomCapacity"/>,
/// <see cref="IOneTimeKeys"/>), written once and run on every backend. Time: the in-process backend's clock moves only when the
/// test moves it, so its windows and lifetimes are checked to the millisecond; Valkey keeps time itself, so there a window or
/// lifetime of a second is waited for by asking the store again until it says so (for up to <see cref="Patience"/>), never by
/// sleeping a fixed time, and whatever must hold right after is asked under a window long enough that no pause can end it.
/// </summary>
public abstract class LimitsContract(StoreBackend backend) : StoreContract(backend)
{
    /// <summary>How long a real-clock wait may take before the test fails: far past the one-second windows it waits for.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    /// <summary>A window or lifetime that ends while the test watches: a minute of the fake clock, a second of Valkey's.</summary>
    private TimeSpan Short => Clock is null ? TimeSpan.FromSeconds(1) : TimeSpan.FromMinutes(1);

    /// <summary>
    /// The TTL of a room that expires while the test watches: a minute of the fake clock; on Valkey three seconds, so that the
    /// look right after creating it still finds it live on a loaded machine.
    /// </summary>
    private TimeSpan BriefRoomTtl => Clock is null ? TimeSpan.FromSeconds(3) : TimeSpan.FromMinutes(1);

    private static string Key(string kind) => $"{kind}:{Guid.NewGuid():N}";

    /// <summary>
    /// Asks until <paramref name="done"/> holds and returns the last answer. On the fake clock the first answer is the one (time
    /// stands still); on a real clock the store is asked again every 50 ms for up to <see cref="Patience"/>.
    /// </summary>
    private async Task<T> UntilAsync<T>(Func<Task<T>> ask, Func<T, bool> done)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var answer = await ask();
            if (done(answer) || Clock is not null || waited.Elapsed > Patience)
            {
                return answer;
            }

            await Task.Delay(50);
        }
    }

    private static (Room Room, Player Creator) NewRoom(string creatorName, int ttl = 18000)
    {
        var creator = NewPlayer(creatorName);
        return (new Room(UniqueCode(), RoomMode.Open, creator.PlayerId, null, null, Now, Now, ttl), creator);
    }

    [Theory]
    [InlineData("join")]
    [InlineData("roll")]
    public async Task Attempts_count_within_their_window_and_past_the_limit_are_refused_with_the_time_until_it_opens(string kind)
    {
        // A global per-address counter, and a room's roll counter (which Valkey keeps in the room's slot).
        var key = kind == "roll" ? $"roll:{UniqueCode()}:{Guid.NewGuid():N}" : Key(kind);

        var allowed = new List<RateDecision>();
        for (var i = 0; i < 3; i++)
        {
            allowed.Add(await Limiter.TryAcquireAsync(key, 3, RollWindow));
        }

        var refused = await Limiter.TryAcquireAsync(key, 3, RollWindow);
        var again = await Limiter.TryAcquireAsync(key, 3, RollWindow);

        Assert.All(allowed, d => Assert.Equal(new RateDecision(true, TimeSpan.Zero), d));
        Assert.False(refused.Allowed);
        Assert.InRange(refused.RetryAfter, Millisecond, RollWindow);
        Assert.False(again.Allowed);
        Assert.InRange(again.RetryAfter, Millisecond, refused.RetryAfter);
        Assert.Equal(5, await Limiter.CountAsync(key)); // refused attempts count too
        Assert.True((await Limiter.TryAcquireAsync(Key(kind), 3, RollWindow)).Allowed); // another key has a counter of its own
    }

    [Fact]
    public async Task Counting_reads_the_window_without_counting_an_attempt()
    {
        var key = Key("create");

        var none = await Limiter.CountAsync(key);
        await Limiter.TryAcquireAsync(key, 3, RollWindow);
        await Limiter.TryAcquireAsync(key, 3, RollWindow);
        var counted = new[] { await Limiter.CountAsync(key), await Limiter.CountAsync(key), await Limiter.CountAsync(key) };
        var third = await Limiter.TryAcquireAsync(key, 3, RollWindow);

        Assert.Equal(0, none);
        Assert.Equal([2L, 2L, 2L], counted);
        Assert.True(third.Allowed); // the reads took none of the three attempts
        Assert.Equal(0, await Limiter.CountAsync(Key("create")));
    }

    [Fact]
    public async Task A_window_opens_again_when_it_ends_and_counts_from_one()
    {
        var key = Key("join");
        Assert.True((await Limiter.TryAcquireAsync(key, 1, Short)).Allowed);

        // Valkey's second may end between two attempts on a loaded machine: then the next attempt opens a window and is allowed,
        // and the one after it is refused.
        var refused = await UntilAsync(() => Limiter.TryAcquireAsync(key, 1, Short), d => !d.Allowed);
        Assert.False(refused.Allowed);
        Assert.InRange(refused.RetryAfter, TimeSpan.Zero, Short);
        if (Clock is { } clock)
        {
            Assert.Equal(Short, refused.RetryAfter);
            clock.Advance(refused.RetryAfter - Millisecond);
            Assert.Equal(new RateDecision(false, Millisecond), await Limiter.TryAcquireAsync(key, 1, Short));
            clock.Advance(Millisecond);
        }

        // The attempt that opens the new window sets its length: a long one, so what follows is asked inside it.
        var reopened = await UntilAsync(() => Limiter.TryAcquireAsync(key, 1, RollWindow), d => d.Allowed);
        var count = await Limiter.CountAsync(key);
        var next = await Limiter.TryAcquireAsync(key, 1, RollWindow);

        Assert.True(reopened.Allowed, $"the window did not open again within {Patience}");
        Assert.Equal(1, count);
        Assert.False(next.Allowed);
        Assert.InRange(next.RetryAfter, RollWindow - TimeSpan.FromMinutes(1), RollWindow);
    }

    [Fact]
    public async Task A_one_time_key_is_used_once_within_its_lifetime()
    {
        var key = Key("pow");

        var uses = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            uses.Add(await OneTimeKeys.TryUseAsync(key, RollWindow));
        }

        Assert.Equal([true, false, false], uses);
        Assert.True(await OneTimeKeys.TryUseAsync(Key("pow"), RollWindow));
        Assert.False(await OneTimeKeys.TryUseAsync(key, RollWindow)); // another key's use leaves this one spent
    }

    [Fact]
    public async Task A_one_time_key_may_be_used_again_once_its_lifetime_ends()
    {
        var key = Key("pow");
        Assert.True(await OneTimeKeys.TryUseAsync(key, Short));
        if (Clock is { } clock)
        {
            clock.Advance(Short - Millisecond);
            Assert.False(await OneTimeKeys.TryUseAsync(key, Short));
            clock.Advance(Millisecond);
        }

        // The use that takes it again sets the new lifetime: a long one, so the repeat below is asked inside it.
        var again = await UntilAsync(() => OneTimeKeys.TryUseAsync(key, RollWindow), used => used);
        var repeat = await OneTimeKeys.TryUseAsync(key, RollWindow);

        Assert.True(again, $"the key was not free again within {Patience}");
        Assert.False(repeat);
    }

    [Fact]
    public async Task Rooms_are_created_while_fewer_than_the_maximum_are_live_and_a_live_code_is_taken()
    {
        var (store, capacity) = await EmptyCapacityAsync();
        var (first, alice) = NewRoom("Alice");
        var (second, bea) = NewRoom("Bea");
        var (third, cal) = NewRoom("Cal");

        var empty = await capacity.FullAsync(2);
        var created = await capacity.TryCreateAsync(first, alice, 2);
        var taken = await capacity.TryCreateAsync(first with { CreatorPlayerId = "someone" }, NewPlayer("Bob"), 2);
        var belowMax = await capacity.FullAsync(2);
        var createdToo = await capacity.TryCreateAsync(second, bea, 2);
        var full = await capacity.TryCreateAsync(third, cal, 2);
        var fullLook = await capacity.FullAsync(2);
        var roomForOneMore = await capacity.FullAsync(3);

        Assert.Null(empty);
        Assert.Equal(new CreateResult(CreateOutcome.Created), created);
        Assert.Equal(CreateOutcome.CodeTaken, taken.Outcome);
        Assert.Equal("Alice", (await store.GetAsync(first.Code))!.Players.Single().Name); // the live room is left as it was
        Assert.Null(belowMax); // the refused code took no place
        Assert.Equal(new CreateResult(CreateOutcome.Created), createdToo);
        Assert.Equal(CreateOutcome.Full, full.Outcome);
        Assert.InRange(full.RetryAfter, Millisecond, TimeSpan.FromSeconds(first.TtlSeconds)); // until the soonest expiry
        Assert.Null(await store.GetAsync(third.Code)); // nothing was created
        Assert.NotNull(fullLook);
        Assert.InRange(fullLook.Value, Millisecond, TimeSpan.FromSeconds(first.TtlSeconds));
        Assert.Null(roomForOneMore);
        Assert.Equal(new CreateResult(CreateOutcome.Created), await capacity.TryCreateAsync(third, cal, 3));
        Assert.Equal("Cal", (await store.GetAsync(third.Code))!.Players.Single().Name);
    }

    [Fact]
    public async Task An_expired_room_stops_counting()
    {
        var (store, capacity) = await EmptyCapacityAsync();
        var (brief, alice) = NewRoom("Alice", ttl: (int)BriefRoomTtl.TotalSeconds);
        var (lasting, bea) = NewRoom("Bea");
        Assert.Equal(CreateOutcome.Created, (await capacity.TryCreateAsync(lasting, bea, 2)).Outcome);
        Assert.Equal(CreateOutcome.Created, (await capacity.TryCreateAsync(brief, alice, 2)).Outcome);
        var full = await capacity.FullAsync(2); // one step after the brief room was made: it is live
        Assert.NotNull(full);
        Assert.InRange(full.Value, TimeSpan.Zero, BriefRoomTtl); // the brief room expires first
        if (Clock is { } clock)
        {
            Assert.Equal(BriefRoomTtl, full);
            clock.Advance(BriefRoomTtl - Millisecond);
            Assert.Equal(Millisecond, await capacity.FullAsync(2));
            clock.Advance(Millisecond);
        }

        var freed = await UntilAsync(() => capacity.FullAsync(2), wait => wait is null);
        var (next, cal) = NewRoom("Cal");
        var (oneTooMany, dan) = NewRoom("Dan");

        Assert.True(freed is null, $"the expired room still counted after {Patience}");
        Assert.Null(await store.GetAsync(brief.Code));
        Assert.Equal(new CreateResult(CreateOutcome.Created), await capacity.TryCreateAsync(next, cal, 2));
        Assert.Equal(CreateOutcome.Full, (await capacity.TryCreateAsync(oneTooMany, dan, 2)).Outcome); // the lasting room counts still
    }

    [Fact]
    public async Task A_room_closed_by_its_last_member_or_deleted_stops_counting_at_once()
    {
        var (store, capacity) = await EmptyCapacityAsync();
        var (closing, alice) = NewRoom("Alice");
        var (deleted, bea) = NewRoom("Bea");
        Assert.Equal(CreateOutcome.Created, (await capacity.TryCreateAsync(closing, alice, 2)).Outcome);
        Assert.Equal(CreateOutcome.Created, (await capacity.TryCreateAsync(deleted, bea, 2)).Outcome);
        Assert.NotNull(await capacity.FullAsync(2));

        Assert.Equal(new LeaveResult(LeaveOutcome.RoomClosed), await store.LeaveAsync(closing.Code, alice, Now));
        var afterClose = await capacity.FullAsync(2);
        var (next, cal) = NewRoom("Cal");
        var replaced = await capacity.TryCreateAsync(next, cal, 2);
        var fullAgain = await capacity.FullAsync(2);
        await store.DeleteAsync(deleted.Code);
        var afterDelete = await capacity.FullAsync(2);

        Assert.Null(afterClose);
        Assert.Equal(new CreateResult(CreateOutcome.Created), replaced);
        Assert.NotNull(fullAgain);
        Assert.Null(afterDelete);
        Assert.Equal(CreateOutcome.Created, (await capacity.TryCreateAsync(closing, alice, 2)).Outcome); // a closed code is free again
    }
}

/// <summary>The limits contract on the in-process limiter, keys and store, on a clock the tests move.</summary>
public sealed class InMemoryLimitsContractTests() : LimitsContract(StoreBackend.InMemory());

/// <summary>The limits contract on a real Valkey-compatible server.</summary>
[Trait(Tiers.Trait, Tiers.Stores)]
[Collection(ValkeyCollection.Name)]
public sealed class ValkeyLimitsContractTests(ValkeyServer valkey) : LimitsContract(StoreBackend.Valkey(valkey));

/// <summary>The limits contract on a 6-node Valkey Cluster (3 primaries + 3 replicas), through the same endpoint list the app takes.</summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterLimitsContractTests(ValkeyClusterFixture cluster) : LimitsContract(StoreBackend.ValkeyCluster(cluster));
