using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// A backend the store contracts run on: its room store (every port), its limits (rate limiter, one-time keys, room capacity),
/// and the same rooms as a second app instance sees them.
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

    /// <summary>The backend's used-once keys.</summary>
    public required IOneTimeKeys OneTimeKeys { get; init; }

    /// <summary>The clock of the in-process backend, which only the test moves; null for Valkey, whose clock is real.</summary>
    public FakeTimeProvider? Clock { get; init; }

    /// <summary>
    /// The room capacity over a store that holds no live room yet, with that store: a capacity counts every room of its
    /// store, and on one Valkey server the other tests' rooms would count too.
    /// </summary>
    public required Func<Task<(IRoomStore Store, IRoomCapacity Capacity)>> EmptyCapacity { get; init; }

    /// <summary>The in-process store on a clock that stands still (TTLs count from when the test began); it has only one instance.</summary>
    public static StoreBackend InMemory(TimeProvider? clock = null)
    {
        clock ??= new FakeTimeProvider(DateTimeOffset.UtcNow);
        var limiter = new InMemoryRateLimiter(clock);
        var store = new InMemoryRoomStore(clock, Options, limiter);
        return new StoreBackend(store, limiter, () => store)
        {
            OneTimeKeys = new InMemoryOneTimeKeys(clock),
            Clock = clock as FakeTimeProvider,
            EmptyCapacity = () =>
            {
                var empty = new InMemoryRoomStore(clock, Options, limiter);
                return Task.FromResult<(IRoomStore, IRoomCapacity)>((empty, empty));
            },
        };
    }

    /// <summary>A real Valkey-compatible server; the second instance has its own connection to it.</summary>
    public static StoreBackend Valkey(ValkeyServer valkey)
    {
        ArgumentNullException.ThrowIfNull(valkey);
        StackExchange.Redis.ConnectionMultiplexer? second = null;
        StackExchange.Redis.ConnectionMultiplexer? capacity = null;
        return new StoreBackend(new ValkeyRoomStore(valkey.Connection, Options, TimeProvider.System), LimiterOn(valkey.Connection),
            () => new ValkeyRoomStore(second = StackExchange.Redis.ConnectionMultiplexer.Connect(valkey.ConnectionString), Options, TimeProvider.System),
            () =>
            {
                second?.Dispose();
                capacity?.Dispose();
            })
        {
            OneTimeKeys = new ValkeyOneTimeKeys(valkey.Connection),

            // The database the capacity tests of the app use (CapacityValkeyTests), emptied first: the count is this test's rooms.
            EmptyCapacity = async () =>
            {
                await DiceRoller.Tests.Rooms.CapacityValkeyTests.EmptyAsync(valkey);
                capacity ??= await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(
                    $"{valkey.ConnectionString},defaultDatabase={DiceRoller.Tests.Rooms.CapacityValkeyTests.Database}");
                var rooms = new ValkeyRoomStore(capacity, Options, TimeProvider.System);
                return (rooms, new ValkeyRoomCapacity(capacity, rooms, TimeProvider.System));
            },
        };
    }

    /// <summary>A 6-node Valkey Cluster, through the same endpoint list the app takes (one connection, as one instance).</summary>
    public static StoreBackend ValkeyCluster(ValkeyClusterFixture cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var store = new ValkeyRoomStore(cluster.Cluster.Connection, Options, TimeProvider.System);
        return new StoreBackend(store, LimiterOn(cluster.Cluster.Connection), () => store)
        {
            OneTimeKeys = new ValkeyOneTimeKeys(cluster.Cluster.Connection),

            // A cluster has one database: the live-room count is dropped first (the cluster's tests run one at a time, and the
            // apps on it allow far more rooms than they make), so it counts this test's rooms only.
            EmptyCapacity = async () =>
            {
                await cluster.Cluster.Connection.GetDatabase().KeyDeleteAsync(ValkeyKeys.LiveRooms);
                return (store, new ValkeyRoomCapacity(cluster.Cluster.Connection, store, TimeProvider.System));
            },
        };
    }

    private static ValkeyRateLimiter LimiterOn(StackExchange.Redis.IConnectionMultiplexer connection) =>
        new(connection, Microsoft.Extensions.Options.Options.Create(new ValkeyOptions()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ValkeyRateLimiter>.Instance);

    public void Dispose() => dispose?.Invoke();
}
