using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DiceRoller.Shared;

/// <summary>
/// The app's own measurements, as <see cref="System.Diagnostics.Metrics"/> instruments of one meter
/// (<see cref="MeterName"/>). Feature code records with one call and knows nothing of the exporter:
/// Infrastructure publishes every instrument at <c>/metrics</c> in Prometheus text format (prometheus-net's
/// meter adapter prefixes the meter name: <c>rolls</c> becomes <c>diceroller_rolls_total</c>, and so on).
/// Counts are per app instance; rooms and players count open event streams, the live part of a room.
/// </summary>
public static class DiceRollerMetrics
{
    public const string MeterName = "DiceRoller";

    private static readonly Meter Meter = new(MeterName, "1.0");

    // Open streams per room and per (room, player): active rooms and connected players are the non-empty entries.
    private static readonly ConcurrentDictionary<string, int> StreamsPerRoom = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string Room, string Player), int> StreamsPerPlayer = new();
    private static long _pendingPermalinkWrites;

    private static readonly Counter<long> Rolls = Meter.CreateCounter<long>(
        "rolls", "{roll}", "Rolls accepted and published (rate() of it is rolls per minute).");

    private static readonly Histogram<double> FanOut = Meter.CreateHistogram(
        "roll.fanout.duration", "ms", "From accepting a roll request to the roll being published to the room.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500] });

    private static readonly Histogram<double> ValkeyCommand = Meter.CreateHistogram(
        "valkey.command.duration", "ms", "Valkey command round trips, by command.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000] });

    private static readonly Counter<long> PermalinkWrites = Meter.CreateCounter<long>(
        "permalink.writes", "{write}", "Permalink rows written, by outcome (ok, failed).");

    private static readonly Histogram<double> PermalinkWriteTime = Meter.CreateHistogram(
        "permalink.write.duration", "ms", "SQLite permalink writes.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000] });

    private static readonly Counter<long> RateLimited = Meter.CreateCounter<long>(
        "rate_limit.rejections", "{request}", "Requests refused by a rate limit, by limit (roll, create, join, ...).");

    private static readonly Counter<long> RateLimitDown = Meter.CreateCounter<long>(
        "rate_limit.unavailable", "{request}", "Requests let through because a global limit's Valkey shard was down or slow, by limit.");

    private static readonly Counter<long> FanOutReceived = Meter.CreateCounter<long>(
        "fanout.messages.received", "{message}", "Room events this instance received from Valkey pub/sub (only rooms with a page open here).");

    private static readonly Counter<long> Responses = Meter.CreateCounter<long>(
        "http.responses", "{response}", "HTTP responses by status class (2xx, 3xx, 4xx, 5xx).");

    private static readonly Counter<long> StreamsStarted = Meter.CreateCounter<long>(
        "streams.started", "{stream}", "Event streams opened since start.");

    static DiceRollerMetrics()
    {
        Meter.CreateObservableGauge("streams.open", () => StreamsPerRoom.Values.Sum(), "{stream}", "Open event streams (room pages).");
        Meter.CreateObservableGauge("rooms.active", () => StreamsPerRoom.Count, "{room}", "Rooms with at least one open page on this instance.");
        Meter.CreateObservableGauge("players.connected", () => StreamsPerPlayer.Count, "{player}", "Players with at least one open page on this instance.");
        Meter.CreateObservableGauge("permalink.writes.pending", () => Interlocked.Read(ref _pendingPermalinkWrites), "{write}",
            "Permalink writes in progress: the write queue's depth (each roll awaits its own write, so this is the queue).");
    }

    /// <summary>A roll was published; <paramref name="latencyMs"/> is accept -> published.</summary>
    public static void RollPublished(double latencyMs)
    {
        Rolls.Add(1);
        FanOut.Record(latencyMs);
    }

    /// <summary>Runs one permalink write, counting it, timing it and showing it as pending meanwhile.</summary>
    public static async Task PermalinkWriteAsync(Func<Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _pendingPermalinkWrites);
        var outcome = "failed";
        try
        {
            await write();
            outcome = "ok";
        }
        finally
        {
            Interlocked.Decrement(ref _pendingPermalinkWrites);
            PermalinkWrites.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
            PermalinkWriteTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>A rate limit refused a request; <paramref name="key"/> is the limiter key (its prefix names the limit).</summary>
    public static void RateLimitRejected(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        RateLimited.Add(1, new KeyValuePair<string, object?>("limit", colon > 0 ? key[..colon] : key));
    }

    /// <summary>A global limit's counter could not be reached in time; the request went through unlimited.</summary>
    public static void RateLimitUnavailable(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        RateLimitDown.Add(1, new KeyValuePair<string, object?>("limit", colon > 0 ? key[..colon] : key));
    }

    /// <summary>One room event arrived from Valkey pub/sub.</summary>
    public static void FanOutMessageReceived() => FanOutReceived.Add(1);

    public static void ValkeyCommandCompleted(string command, double milliseconds) =>
        ValkeyCommand.Record(milliseconds, new KeyValuePair<string, object?>("command", command));

    public static void ResponseSent(int statusCode) =>
        Responses.Add(1, new KeyValuePair<string, object?>("status_class", statusCode switch
        {
            < 200 => "1xx",
            < 300 => "2xx",
            < 400 => "3xx",
            < 500 => "4xx",
            _ => "5xx",
        }));

    /// <summary>An event stream opened for <paramref name="player"/> in <paramref name="room"/>; dispose when it ends.</summary>
    public static IDisposable StreamOpened(string room, string player)
    {
        StreamsStarted.Add(1);
        StreamsPerRoom.AddOrUpdate(room, 1, (_, n) => n + 1);
        StreamsPerPlayer.AddOrUpdate((room, player), 1, (_, n) => n + 1);
        return new OpenStream(room, player);
    }

    private sealed class OpenStream(string room, string player) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                Release(StreamsPerRoom, room);
                Release(StreamsPerPlayer, (room, player));
            }
        }

        private static void Release<TKey>(ConcurrentDictionary<TKey, int> counts, TKey key)
            where TKey : notnull
        {
            var left = counts.AddOrUpdate(key, 0, (_, n) => n - 1);
            if (left <= 0)
            {
                // Removes the entry only if no stream opened meanwhile.
                counts.TryRemove(new KeyValuePair<TKey, int>(key, left));
            }
        }
    }
}
