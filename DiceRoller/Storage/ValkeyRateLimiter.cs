using DiceRoller.Rooms;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>Fixed-window counters in Valkey, so limits hold across every app instance.</summary>
public sealed class ValkeyRateLimiter(IConnectionMultiplexer redis) : IRateLimiter
{
    public async Task<RateDecision> TryAcquireAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ValkeyScripts.RateLimit,
            [ValkeyKeys.RateLimit(key)], [(long)window.TotalMilliseconds]))!;
        var count = (long)result[0];
        var remaining = TimeSpan.FromMilliseconds((long)result[1]);
        if (count > limit)
        {
            Shared.DiceRollerMetrics.RateLimitRejected(key);
        }

        return count <= limit ? new RateDecision(true, TimeSpan.Zero) : new RateDecision(false, remaining);
    }
}
