using DiceRoller.Dice;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;

namespace DiceRoller.Tests.Storage;

/// <summary>
/// What the port contracts share: the backend they run on (<see cref="StoreBackend"/>: in-process, Valkey, Valkey Cluster)
/// and the rooms, players and rolls they build. Each port has its own contract, written once and run on every backend:
/// <see cref="RoomsContract"/>, <see cref="RoomDoorContract"/>, <see cref="RollLogContract"/>, <see cref="RoomSeedsContract"/>, <see cref="SavedRollsContract"/>, <see cref="LimitsContract"/>.
/// </summary>
public abstract class StoreContract(StoreBackend backend) : IDisposable
{
    protected const int HistoryLimit = StoreBackend.HistoryLimit;

    protected const long Minute = 60_000;

    /// <summary>Long enough that no window ends while a test runs, even on a loaded machine.</summary>
    protected static readonly TimeSpan RollWindow = TimeSpan.FromMinutes(10);

    protected static IOptions<RoomOptions> Options => StoreBackend.Options;

    /// <summary>One store plays every port (<see cref="IRoomStore"/>): a contract sets up and reads back through the others, as the app does.</summary>
    protected IRoomStore Store => backend.Store;

    /// <summary>The app's rate limiter beside <see cref="Store"/> (a room's roll limit is one of its counters).</summary>
    protected IRateLimiter Limiter => backend.Limiter;

    /// <summary>The same rooms as another app instance sees them (its own connection); the in-process store has only one.</summary>
    protected IRoomStore OtherInstance => backend.OtherInstance;

    /// <summary>The backend's used-once keys (<see cref="LimitsContract"/>).</summary>
    protected IOneTimeKeys OneTimeKeys => backend.OneTimeKeys;

    /// <summary>The in-process backend's clock, which only the test moves; null on Valkey, whose clock is real.</summary>
    protected Microsoft.Extensions.Time.Testing.FakeTimeProvider? Clock => backend.Clock;

    /// <summary>A room capacity over a store of its own that holds no live room yet, and that store.</summary>
    protected Task<(IRoomStore Store, IRoomCapacity Capacity)> EmptyCapacityAsync() => backend.EmptyCapacity();

    protected static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A code no other test uses (codes are shared on the one Valkey server).</summary>
    protected static string UniqueCode() =>
        new string(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(6).Select(char.ToUpperInvariant).ToArray()).PadRight(3, 'X')
        + "-" + System.Security.Cryptography.RandomNumberGenerator.GetInt32(10_000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    protected static Player NewPlayer(string name) => new(Guid.NewGuid().ToString(), name, Now, Guid.NewGuid().ToString("N"), "hash", "address");

    protected static Knock NewKnock(string code, Player player, long? expiresAt = null) =>
        new(Guid.NewGuid().ToString(), code, player, Now, expiresAt ?? Now + 600_000, KnockState.Waiting);

    /// <summary>
    /// A plain join, through the production path: <see cref="IRoomDoor.JoinOrKnockAsync"/> with no address kick recent
    /// enough to knock (so it knocks only when the room is locked).
    /// </summary>
    protected Task<JoinOutcome> JoinAsync(string code, Player player, int maxPlayers, long now) =>
        Store.JoinOrKnockAsync(code, NewKnock(code, player), maxPlayers, kickedSince: long.MaxValue, now);

    protected async Task<(Room Room, Player Creator)> CreateRoomAsync(RoomMode mode = RoomMode.Open, int ttl = 18000)
    {
        var creator = NewPlayer("Alice");
        var room = new Room(UniqueCode(), mode, creator.PlayerId, mode == RoomMode.DmLed ? creator.PlayerId : null, null, Now, Now, ttl);
        Assert.True(await Store.TryCreateAsync(room, creator));
        return (room, creator);
    }

    protected static Roll NewRoll(string code, Player player, int total = 10) => new(
        Guid.NewGuid().ToString(), code, 0, player.PlayerId, player.Name, Now, "1d20", 20, 1, 0, Advantage.None,
        [total], null, total, Hidden: false, Revealed: false, DcCheck: null);

    /// <summary>Rolls compare field by field, the dice by value.</summary>
    protected static void AssertSameRoll(Roll expected, Roll actual) =>
        Assert.Equal(RoomJson.Serialize(expected), RoomJson.Serialize(actual));

    protected static RollRequest Request(string key, long abandonAfterMs = Minute, long keepForMs = 5 * Minute) => new(key, abandonAfterMs, keepForMs);

    /// <summary>Starts a roll of <paramref name="playerId"/> as the roll path does, with a limit high enough not to matter unless given.</summary>
    protected Task<RollStart> StartAsync(string code, string playerId, RollRequest? request = null, int limit = 1000, long? now = null,
        string fallback = "fallback-seed", bool keepFallback = false, IRoomStore? store = null) =>
        (store ?? Store).StartRollAsync(code, new RollAttempt(playerId, request, new RollLimit($"roll:{code}:{playerId}", limit, RollWindow),
            fallback, keepFallback, RoomSeedSecret.New(), now ?? Now));

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            backend.Dispose();
        }
    }
}
