using System.Collections.Concurrent;
using DiceRoller.Rooms;

namespace DiceRoller.Storage;

/// <summary>Fixed-window counters in this process (the embedded default; the in-process room store counts rolls here too).</summary>
public sealed class InMemoryRateLimiter(TimeProvider time) : IRateLimiter
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    private sealed class Window(DateTimeOffset endsAt)
    {
        public DateTimeOffset EndsAt { get; } = endsAt;
        public int Count;
    }

    public Task<RateDecision> TryAcquireAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        var decision = Acquire(key, limit, window);
        if (!decision.Allowed)
        {
            Shared.DiceRollerMetrics.RateLimitRejected(key);
        }

        return Task.FromResult(decision);
    }

    public Task<long> CountAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(_windows.TryGetValue(key, out var current) && current.EndsAt > time.GetUtcNow() ? (long)Volatile.Read(ref current.Count) : 0L);

    /// <summary>Counts one attempt against <paramref name="key"/> at once (the room store calls it under its room's lock).</summary>
    internal RateDecision Acquire(string key, int limit, TimeSpan window)
    {
        var now = time.GetUtcNow();
        var current = _windows.AddOrUpdate(key, _ => new Window(now + window), (_, w) => w.EndsAt <= now ? new Window(now + window) : w);
        var count = Interlocked.Increment(ref current.Count);
        if (_windows.Count > 10_000)
        {
            foreach (var stale in _windows.Where(w => w.Value.EndsAt <= now).Select(w => w.Key).ToList())
            {
                _windows.TryRemove(stale, out _);
            }
        }

        return count <= limit ? new RateDecision(true, TimeSpan.Zero) : new RateDecision(false, current.EndsAt - now);
    }
}
