using System.Threading.Channels;
using DiceRoller.Rooms;

namespace DiceRoller.Live;

/// <summary>
/// This instance's fan-out: every open room page holds a <see cref="RoomSubscription"/>, and each event
/// for the room is written to all of them, as one <see cref="LiveEvent"/> they share (so each distinct rendering of it
/// is made once). Fed directly (embedded default) or by Valkey pub/sub.
/// </summary>
public sealed class RoomBroadcaster
{
    /// <summary>A pseudo-event telling subscribers that messages may have been lost (e.g. Valkey reconnected).</summary>
    public const string ResyncType = "resync";

    private const int QueueCapacity = 512;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<RoomSubscription>> _rooms = new(StringComparer.Ordinal);

    /// <summary>
    /// Raised (outside the lock) when a room gets its first local page or loses its last one, so a fan-out that
    /// subscribes per room (Valkey sharded pub/sub) can follow; read <see cref="SubscriberCount"/> for the current state.
    /// </summary>
    public event Action<string>? RoomInterestChanged;

    public RoomSubscription Subscribe(string code)
    {
        var subscription = new RoomSubscription(this, code, Channel.CreateBounded<LiveEvent>(
            new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }));
        bool first;
        lock (_gate)
        {
            first = !_rooms.TryGetValue(code, out var set);
            if (first)
            {
                _rooms[code] = set = [];
            }

            set!.Add(subscription);
        }

        if (first)
        {
            RoomInterestChanged?.Invoke(code);
        }

        return subscription;
    }

    public void Deliver(RoomEvent roomEvent)
    {
        ArgumentNullException.ThrowIfNull(roomEvent);
        var shared = new LiveEvent(roomEvent);
        foreach (var subscription in SubscribersOf(roomEvent.RoomCode))
        {
            subscription.Writer.TryWrite(shared);
        }
    }

    /// <summary>
    /// Asks every subscriber to read the room again, after a window in which events may have been missed: one event per room,
    /// shared by its pages here (so the room is read once for them, not once per page).
    /// </summary>
    public void ResyncAll()
    {
        List<string> codes;
        lock (_gate)
        {
            codes = [.. _rooms.Keys];
        }

        foreach (var code in codes)
        {
            Deliver(new RoomEvent(code, ResyncType, 0));
        }
    }

    public int SubscriberCount(string code)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(code, out var set) ? set.Count : 0;
        }
    }

    private List<RoomSubscription> SubscribersOf(string code)
    {
        lock (_gate)
        {
            return _rooms.TryGetValue(code, out var set) ? [.. set] : [];
        }
    }

    internal void Remove(RoomSubscription subscription)
    {
        var last = false;
        lock (_gate)
        {
            if (_rooms.TryGetValue(subscription.RoomCode, out var set) && set.Remove(subscription) && set.Count == 0)
            {
                _rooms.Remove(subscription.RoomCode);
                last = true;
            }
        }

        subscription.Writer.TryComplete();
        if (last)
        {
            RoomInterestChanged?.Invoke(subscription.RoomCode);
        }
    }
}

/// <summary>One open page's queue of room events. Dispose it when the page's stream ends.</summary>
public sealed class RoomSubscription : IDisposable
{
    private readonly RoomBroadcaster _owner;
    private readonly Channel<LiveEvent> _channel;

    internal RoomSubscription(RoomBroadcaster owner, string roomCode, Channel<LiveEvent> channel)
    {
        _owner = owner;
        _channel = channel;
        RoomCode = roomCode;
    }

    public string RoomCode { get; }

    public ChannelReader<LiveEvent> Reader => _channel.Reader;

    internal ChannelWriter<LiveEvent> Writer => _channel.Writer;

    public void Dispose() => _owner.Remove(this);
}
