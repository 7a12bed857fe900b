using System.Globalization;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// Rooms in Valkey: a meta hash, a players hash, a name index and the roll history as a sorted set
/// scored by sequence. Every write is one Lua script, so appends and their sequence numbers are atomic
/// across app instances; nothing is read, modified and written back.
/// </summary>
public sealed class ValkeyRoomStore(IConnectionMultiplexer redis, IOptions<RoomOptions> options) : IRoomStore
{
    private readonly int _historyLimit = options.Value.HistoryLimit;

    private IDatabase Db => redis.GetDatabase();

    public async Task<bool> TryCreateAsync(Room room, Player creator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(creator);
        var result = await Db.ScriptEvaluateAsync(ValkeyScripts.Create, ValkeyKeys.All(room.Code),
        [
            room.TtlSeconds, room.Code, room.Mode.ToWire(), room.CreatorPlayerId, room.DmPlayerId ?? "",
            room.CreatedAt, creator.PlayerId, RoomJson.Serialize(creator), NameKey(creator.Name),
        ]);
        return (int)result == 1;
    }

    public async Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default)
    {
        var metaTask = Db.HashGetAllAsync(ValkeyKeys.Meta(code));
        var playersTask = Db.HashValuesAsync(ValkeyKeys.Players(code));
        var meta = (await metaTask).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        var players = await playersTask;
        if (meta.Count == 0 || !meta.ContainsKey("code"))
        {
            return null;
        }

        var room = new Room(
            meta["code"],
            RoomModeNames.TryParse(meta["mode"], out var mode) ? mode : RoomMode.Open,
            meta["creator"],
            string.IsNullOrEmpty(meta.GetValueOrDefault("dm")) ? null : meta["dm"],
            int.TryParse(meta.GetValueOrDefault("dc"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var dc) ? dc : null,
            long.Parse(meta["created_at"], CultureInfo.InvariantCulture),
            long.Parse(meta["last_activity"], CultureInfo.InvariantCulture),
            int.Parse(meta["ttl"], CultureInfo.InvariantCulture));
        var list = players.Select(p => RoomJson.Deserialize<Player>(p.ToString())!).OrderBy(p => p.JoinedAt).ToList();
        return new RoomSnapshot(room, list);
    }

    public async Task<JoinOutcome> AddPlayerAsync(string code, Player player, int maxPlayers, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        var result = (string?)await Db.ScriptEvaluateAsync(ValkeyScripts.Join, ValkeyKeys.All(code),
            [maxPlayers, player.PlayerId, RoomJson.Serialize(player), NameKey(player.Name), now]);
        return result switch
        {
            "OK" => JoinOutcome.Joined,
            "FULL" => JoinOutcome.RoomFull,
            "NAME_TAKEN" => JoinOutcome.NameTaken,
            _ => JoinOutcome.RoomNotFound,
        };
    }

    public async Task<Roll?> AppendRollAsync(Roll roll, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var sequence = (long)await Db.ScriptEvaluateAsync(ValkeyScripts.AppendRoll, ValkeyKeys.All(roll.RoomCode),
            [RoomJson.Serialize(roll with { Sequence = 0 }), _historyLimit, now]);
        return sequence < 0 ? null : roll with { Sequence = sequence };
    }

    public async Task<IReadOnlyList<Roll>> GetRollsAfterAsync(string code, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        var entries = await Db.SortedSetRangeByScoreWithScoresAsync(ValkeyKeys.Rolls(code),
            start: afterSequence, stop: double.PositiveInfinity, exclude: Exclude.Start, order: Order.Ascending, skip: 0, take: limit);
        return entries.Select(ToRoll).ToList();
    }

    public async Task<IReadOnlyList<Roll>> GetRollsBeforeAsync(string code, long beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        var entries = await Db.SortedSetRangeByScoreWithScoresAsync(ValkeyKeys.Rolls(code),
            start: double.NegativeInfinity, stop: beforeSequence, exclude: Exclude.Stop, order: Order.Descending, skip: 0, take: limit);
        return entries.Select(ToRoll).ToList();
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Db.PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private static Roll ToRoll(SortedSetEntry entry) =>
        RoomJson.Deserialize<Roll>(entry.Element.ToString())! with { Sequence = (long)entry.Score };

    private static string NameKey(string name) => name.ToUpperInvariant();
}
