using DiceRoller.Rooms;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>Used-once keys in Valkey (SET NX with an expiry), so a key spent on one app instance is spent on all.</summary>
public sealed class ValkeyOneTimeKeys(IConnectionMultiplexer redis) : IOneTimeKeys
{
    public async Task<bool> TryUseAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken = default) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(ValkeyScripts.UseOnce, [ValkeyKeys.OneTime(key)], [(long)lifetime.TotalMilliseconds]) == 1;
}
