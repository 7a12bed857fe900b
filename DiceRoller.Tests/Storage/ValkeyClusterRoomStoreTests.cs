using DiceRoller.Rooms;
using DiceRoller.Storage;
using DiceRoller.Tests.Infrastructure;

namespace DiceRoller.Tests.Storage;

/// <summary>The room store contract on a 6-node Valkey Cluster (3 primaries + 3 replicas), through the same endpoint list the app takes.</summary>
[Trait(Tiers.Trait, Tiers.Cluster)]
[Collection(ValkeyClusterCollection.Name)]
public sealed class ValkeyClusterRoomStoreTests(ValkeyClusterFixture cluster) : RoomStoreContract
{
    protected override IRoomStore Store { get; } = new ValkeyRoomStore(cluster.Cluster.Connection, Options, TimeProvider.System);

    protected override IRateLimiter Limiter { get; } = new ValkeyRateLimiter(cluster.Cluster.Connection,
        Microsoft.Extensions.Options.Options.Create(new ValkeyOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<ValkeyRateLimiter>.Instance);
}
