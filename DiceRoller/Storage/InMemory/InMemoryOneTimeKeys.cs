using System.Collections.Concurrent;
using DiceRoller.Rooms;

namespace DiceRoller.Storage;

/// <summary>Used-once keys in this process (the embedded default), forgotten when their lifetime ends.</summary>
public sealed class InMemoryOneTimeKeys(TimeProvider time) : IOneTimeKeys
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);

    public Task<bool> TryUseAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_used.Count > 10_000)
        {
            foreach (var stale in _used.Where(u => u.Value <= now).Select(u => u.Key).ToList())
            {
                _used.TryRemove(stale, out _);
            }
        }

        var first = false;
        _used.AddOrUpdate(key, _ =>
        {
            first = true;
            return now + lifetime;
        }, (_, until) =>
        {
            first = until <= now;
            return first ? now + lifetime : until;
        });
        return Task.FromResult(first);
    }
}
