using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// A backend the store contracts run on: its room store (every port), its rate limiter, and the same rooms as a second app
/// instance sees them.
/// </summary>
public sealed class StoreBackend(IRoomStore store, IRateLimiter limiter, Func<IRoomStore> otherInstance, Action? dispose = null) : IDisposable
{
    public const int HistoryLimit = 500;

    public static IOptions<RoomOptions> Options => Microsoft.Extensions.Options.Options.Create(new RoomOptions { HistoryLimit = HistoryLimit });

    private readonly Lazy<IRoomStore> _other = new(otherInstance);

    public IRoomStore Store { get; } = store;

    public IRateLimiter Limiter { get; } = limiter;

    /// <summary>Made on first use (before any concurrent use).</summary>
    public IRoomStore OtherInstance => _other.Value;

    /// <summary>The in-process store on a clock that stands still (TTLs count from when the test began); it has only one instance.</summary>
    public static StoreBackend InMemory(TimeProvider? clock = null)
    {
        clock ??= new FakeTimeProvider(DateTimeOffset.UtcNow);
        var limiter = new InMemoryRateLimiter(clock);
        var store = new InMemoryRoomStore(clock, Options, limiter);
        return new StoreBackend(store, limiter, () => store);
    }

    /// <summary>A real Valkey-compatible server; the second instance has its own connection to it.</summary>
    public static StoreBackend Valkey(ValkeyServer valkey)
    {
        ArgumentNullException.ThrowIfNull(valkey);
        StackExchange.Redis.ConnectionMultiplexer? second = null;
        return new StoreBackend(new ValkeyRoomStore(valkey.Connection, Options, TimeProvider.System), LimiterOn(valkey.Connection),
            () => new ValkeyRoomStore(second = StackExchange.Redis.ConnectionMultiplexer.Connect(valkey.ConnectionString), Options, TimeProvider.System),
            () => second?.Dispose());
    }

    /// <summary>A 6-node Valkey Cluster, through the same endpoint list the app takes (one connection, as one instance).</summary>
    public static StoreBackend ValkeyCluster(ValkeyClusterFixture cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var store = new ValkeyRoomStore(cluster.Cluster.Connection, Options, TimeProvider.System);
        return new StoreBackend(store, LimiterOn(cluster.Cluster.Connection), () => store);
    }

    private static ValkeyRateLimiter LimiterOn(StackExchange.Redis.IConnectionMultiplexer connection) =>
        new(connection, Microsoft.Extensions.Options.Options.Create(new ValkeyOptions()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ValkeyRateLimiter>.Instance);

    public void Dispose() => dispose?.Invoke();
}
