using DiceRoller.Rooms;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// Fixed-window counters in Valkey, so limits hold across every app instance. A room's counters share the room's slot
/// (see <see cref="ValkeyKeys.RateLimit"/>); a global counter whose shard is down or slow lets the request through.
/// </summary>
public sealed class ValkeyRateLimiter(IConnectionMultiplexer redis, IOptions<ValkeyOptions> options, ILogger<ValkeyRateLimiter> logger) : IRateLimiter
{
    public async Task<RateDecision> TryAcquireAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var count = redis.GetDatabase().ScriptEvaluateAsync(ValkeyScripts.RateLimit, [ValkeyKeys.RateLimit(key)], [(long)window.TotalMilliseconds]);
        RedisResult[] result;
        if (ValkeyKeys.RoomOfRateLimit(key) is not null)
        {
            result = (RedisResult[])(await count)!;
        }
        else
        {
            try
            {
                result = (RedisResult[])(await count.WaitAsync(options.Value.GlobalLimitTimeout, cancellationToken))!;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException
                || (ex is RedisServerException server && server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)))
            {
                _ = count.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // observe a late failure
                logger.LogWarning("Rate limit {Limit} unavailable ({Error}); letting the request through", LimitName(key), ex.GetType().Name);
                Shared.DiceRollerMetrics.RateLimitUnavailable(key);
                return new RateDecision(true, TimeSpan.Zero);
            }
        }

        var counted = (long)result[0];
        var remaining = TimeSpan.FromMilliseconds((long)result[1]);
        if (counted > limit)
        {
            Shared.DiceRollerMetrics.RateLimitRejected(key);
        }

        return counted <= limit ? new RateDecision(true, TimeSpan.Zero) : new RateDecision(false, remaining);
    }

    /// <summary>Reads a global counter; one that cannot be read (its shard down or slow) counts as 0.</summary>
    public async Task<long> CountAsync(string key, CancellationToken cancellationToken = default)
    {
        var read = redis.GetDatabase().StringGetAsync(ValkeyKeys.RateLimit(key));
        try
        {
            var value = await read.WaitAsync(options.Value.GlobalLimitTimeout, cancellationToken);
            return value.TryParse(out long count) ? count : 0;
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or TimeoutException or RedisServerException)
        {
            _ = read.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            logger.LogWarning("Counter {Limit} unavailable ({Error}); reading it as 0", LimitName(key), ex.GetType().Name);
            return 0;
        }
    }

    private static string LimitName(string key) => key.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? key[..colon] : key;
}
