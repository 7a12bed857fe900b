using DiceRoller.Rooms;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// The room capacity on Valkey, shared by every app instance: <see cref="ValkeyKeys.LiveRooms"/> holds each live room's
/// code scored by the earliest time it may expire. A room's TTL only grows from there (activity and open pages push it
/// back), so until its score passes a room is surely live; once it passes, the next creation looks at the room's TTL and
/// either moves the score to the room's real expiry or, for a room that is gone, drops the code: the count comes down
/// as rooms expire. A room deleted on purpose (its last member left) is dropped at once by the store.
/// </summary>
public sealed class ValkeyRoomCapacity(IConnectionMultiplexer redis, IRooms store, TimeProvider time) : IRoomCapacity
{
    private const int SweepBatch = 200;
    private const int MaxSweepBatches = 10;

    public async Task<CreateResult> TryCreateAsync(Room room, Player creator, int maxRooms, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        var db = redis.GetDatabase();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await SweepAsync(db, now);
        var reserved = (RedisResult[])(await db.ScriptEvaluateAsync(ValkeyScripts.ReserveRoom, [ValkeyKeys.LiveRooms],
            [room.Code, now + (room.TtlSeconds * 1000L), maxRooms]))!;
        switch ((string?)reserved[0])
        {
            case "TAKEN":
                return new CreateResult(CreateOutcome.CodeTaken);
            case "FULL":
                var soonest = (double)reserved[1];
                return new CreateResult(CreateOutcome.Full, TimeSpan.FromMilliseconds(Math.Max(0, soonest - now)));
        }

        // A live code the set did not know (a room from before the capacity count) stays counted from now on.
        return await store.TryCreateAsync(room, creator, cancellationToken)
            ? new CreateResult(CreateOutcome.Created)
            : new CreateResult(CreateOutcome.CodeTaken);
    }

    public async Task<TimeSpan?> FullAsync(int maxRooms, CancellationToken cancellationToken = default)
    {
        var db = redis.GetDatabase();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await SweepAsync(db, now);
        if (await db.SortedSetLengthAsync(ValkeyKeys.LiveRooms) < maxRooms)
        {
            return null;
        }

        var first = await db.SortedSetRangeByRankWithScoresAsync(ValkeyKeys.LiveRooms, 0, 0);
        return TimeSpan.FromMilliseconds(Math.Max(0, (first is [var soonest] ? soonest.Score : now) - now));
    }

    /// <summary>Looks at every room whose earliest expiry has passed: a gone room stops counting, a live one gets its real expiry.</summary>
    private static async Task SweepAsync(IDatabase db, long now)
    {
        for (var batch = 0; batch < MaxSweepBatches; batch++)
        {
            var due = await db.SortedSetRangeByScoreAsync(ValkeyKeys.LiveRooms, double.NegativeInfinity, now, take: SweepBatch);
            if (due.Length == 0)
            {
                return;
            }

            var left = await Task.WhenAll(due.Select(code => db.KeyTimeToLiveAsync(ValkeyKeys.Meta(code.ToString()))));
            var updates = new List<Task>(due.Length);
            for (var i = 0; i < due.Length; i++)
            {
                // Exists only: a room deleted meanwhile (and its code dropped) is not counted again.
                updates.Add(left[i] is { } ttl
                    ? db.SortedSetAddAsync(ValkeyKeys.LiveRooms, due[i], now + (long)ttl.TotalMilliseconds, SortedSetWhen.Exists)
                    : db.SortedSetRemoveAsync(ValkeyKeys.LiveRooms, due[i]));
            }

            await Task.WhenAll(updates);
            if (due.Length < SweepBatch)
            {
                return;
            }
        }
    }
}
