using System.Collections.Concurrent;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;

namespace DiceRoller.Storage;

/// <summary>
/// The embedded default: rooms in this process's memory, with the same rules as the Valkey store
/// (atomic appends, sequence numbers, history limit, time-to-live refreshed on activity).
/// </summary>
public sealed class InMemoryRoomStore(TimeProvider time, IOptions<RoomOptions> options) : IRoomStore
{
    private readonly ConcurrentDictionary<string, RoomData> _rooms = new(StringComparer.Ordinal);
    private readonly int _historyLimit = options.Value.HistoryLimit;

    private sealed class RoomData(Room room, Player creator)
    {
        public object Gate { get; } = new();
        public Room Room { get; set; } = room;
        public List<Player> Players { get; } = [creator];
        public List<Roll> Rolls { get; } = [];
        public long Sequence { get; set; }
        public DateTimeOffset ExpiresAt { get; set; }
    }

    public Task<bool> TryCreateAsync(Room room, Player creator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        var data = new RoomData(room, creator) { ExpiresAt = time.GetUtcNow().AddSeconds(room.TtlSeconds) };
        while (true)
        {
            if (_rooms.TryAdd(room.Code, data))
            {
                return Task.FromResult(true);
            }

            if (Live(room.Code) is not null)
            {
                return Task.FromResult(false);
            }
        }
    }

    public Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default)
    {
        var data = Live(code);
        if (data is null)
        {
            return Task.FromResult<RoomSnapshot?>(null);
        }

        lock (data.Gate)
        {
            return Task.FromResult<RoomSnapshot?>(new RoomSnapshot(data.Room, [.. data.Players]));
        }
    }

    public Task<JoinOutcome> AddPlayerAsync(string code, Player player, int maxPlayers, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(player);
        var data = Live(code);
        if (data is null)
        {
            return Task.FromResult(JoinOutcome.RoomNotFound);
        }

        lock (data.Gate)
        {
            if (data.Players.Count >= maxPlayers)
            {
                return Task.FromResult(JoinOutcome.RoomFull);
            }

            if (data.Players.Exists(p => string.Equals(p.Name, player.Name, StringComparison.OrdinalIgnoreCase)))
            {
                return Task.FromResult(JoinOutcome.NameTaken);
            }

            data.Players.Add(player);
            Touch(data, now);
            return Task.FromResult(JoinOutcome.Joined);
        }
    }

    public Task<Roll?> AppendRollAsync(Roll roll, long now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roll);
        var data = Live(roll.RoomCode);
        if (data is null)
        {
            return Task.FromResult<Roll?>(null);
        }

        lock (data.Gate)
        {
            data.Sequence++;
            var stored = roll with { Sequence = data.Sequence };
            data.Rolls.Add(stored);
            if (data.Rolls.Count > _historyLimit)
            {
                data.Rolls.RemoveRange(0, data.Rolls.Count - _historyLimit);
            }

            Touch(data, now);
            return Task.FromResult<Roll?>(stored);
        }
    }

    public Task<IReadOnlyList<Roll>> GetRollsAfterAsync(string code, long afterSequence, int limit, CancellationToken cancellationToken = default)
    {
        var data = Live(code);
        if (data is null)
        {
            return Task.FromResult<IReadOnlyList<Roll>>([]);
        }

        lock (data.Gate)
        {
            return Task.FromResult<IReadOnlyList<Roll>>(data.Rolls.Where(r => r.Sequence > afterSequence).Take(limit).ToList());
        }
    }

    public Task<IReadOnlyList<Roll>> GetRollsBeforeAsync(string code, long beforeSequence, int limit, CancellationToken cancellationToken = default)
    {
        var data = Live(code);
        if (data is null)
        {
            return Task.FromResult<IReadOnlyList<Roll>>([]);
        }

        lock (data.Gate)
        {
            return Task.FromResult<IReadOnlyList<Roll>>(
                data.Rolls.Where(r => r.Sequence < beforeSequence).Reverse().Take(limit).ToList());
        }
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);

    private void Touch(RoomData data, long now)
    {
        data.Room = data.Room with { LastActivity = now };
        data.ExpiresAt = time.GetUtcNow().AddSeconds(data.Room.TtlSeconds);
    }

    /// <summary>The room if it exists and has not expired; an expired room is removed on sight.</summary>
    private RoomData? Live(string code)
    {
        if (!_rooms.TryGetValue(code, out var data))
        {
            return null;
        }

        if (time.GetUtcNow() < data.ExpiresAt)
        {
            return data;
        }

        _rooms.TryRemove(new KeyValuePair<string, RoomData>(code, data));
        return null;
    }
}
