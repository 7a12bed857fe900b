using System.Collections.Concurrent;
using DiceRoller.Rooms;
using Microsoft.Extensions.Options;

namespace DiceRoller.Storage;

/// <summary>
/// <see cref="IRecentRooms"/> over Valkey: each room's last read kept <see cref="ValkeyOptions.RecentRoomTtl"/> on this instance,
/// dropped when one of the room's events other than a roll reaches this instance (<see cref="ValkeyRoomEvents"/>: a join, a
/// kick, a leave, a DM hand-off, a close...), when its subscription is made again, and all of them when the connection comes
/// back. A read that started before a drop is not kept. At most <see cref="MaxRooms"/> rooms (then it starts over).
/// </summary>
public sealed class ValkeyRecentRooms(IRooms store, TimeProvider time, IOptions<ValkeyOptions> options) : IRecentRooms
{
    public const int MaxRooms = 10_000;

    private readonly TimeSpan _ttl = options.Value.RecentRoomTtl;
    private readonly ConcurrentDictionary<string, (RoomSnapshot Room, long ReadAt)> _rooms = new(StringComparer.Ordinal);
    private long _drops;

    public async Task<RoomSnapshot?> GetAsync(string code, CancellationToken cancellationToken = default)
    {
        if (_ttl > TimeSpan.Zero && _rooms.TryGetValue(code, out var kept) && time.GetElapsedTime(kept.ReadAt) < _ttl)
        {
            return kept.Room;
        }

        var drops = Interlocked.Read(ref _drops);
        var readAt = time.GetTimestamp();
        var room = await store.GetAsync(code, cancellationToken);
        if (room is null || _ttl <= TimeSpan.Zero)
        {
            _rooms.TryRemove(code, out _);
            return room;
        }

        if (_rooms.Count >= MaxRooms)
        {
            _rooms.Clear();
        }

        _rooms[code] = (room, readAt);
        // Dropped while this read was on its way: what it read may be from before the change.
        if (Interlocked.Read(ref _drops) != drops)
        {
            _rooms.TryRemove(code, out _);
        }

        return room;
    }

    public void Forget(string code)
    {
        Interlocked.Increment(ref _drops);
        _rooms.TryRemove(code, out _);
    }

    /// <summary>Drops every kept read (the connection to Valkey was lost and restored: events may have been missed).</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _drops);
        _rooms.Clear();
    }
}
