using System.Buffers;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DiceRoller.Initiative;
using DiceRoller.Rolls;
using DiceRoller.Rooms.Door;
using DiceRoller.Rooms.Moderation;
using DiceRoller.Rooms.Seeds;
using DiceRoller.Rooms;
using RazorSlices;

namespace DiceRoller.Live;

/// <summary>
/// One open room page's stream: what it has sent (the last roll sequence), who watches (events are rendered
/// for that viewer: a hidden roll's values only for the DM), the page's presence, and the room's expiry warnings.
/// Live events come as <see cref="LiveEvent"/>s shared by the instance's pages: the room is read once per event, and each
/// distinct rendering is made once and sent as the same bytes (replay and gap fill render for this page alone).
/// </summary>
internal sealed class LiveSession(
    HttpContext context,
    RoomSnapshot room,
    Player me,
    string? formToken,
    long after,
    IRooms store,
    IRoomDoor door,
    IRollLog rollLog,
    IRoomEventPublisher publisher,
    RoomBroadcaster broadcaster,
    TimeProvider time,
    LiveOptions options,
    RoomOptions roomOptions,
    ILogger logger,
    Task? replaced = null,
    InitiativeService? initiative = null)
{
    private const int ReplayBatch = 200;
    private static readonly byte[] ConnectedData = "ok"u8.ToArray();
    private static readonly byte[] ReloadData = "reload"u8.ToArray();
    private readonly string _code = room.Room.Code;
    private readonly string _streamId = Guid.NewGuid().ToString("N");
    private readonly HashSet<int> _warned = [];
    // The room as last read to render this page's roster, DC or door: after a live event that is the read shared by all of
    // the room's pages here. Heartbeats read the room too, but keep only what they need (below), not a copy per page.
    private RoomSnapshot _room = room;
    private bool _isDm = room.IsDm(me.PlayerId);
    private bool _held = IsHeldBy(room);
    private long _expiresAt = ExpiryOf(room);
    // The presence the last roster sent to this page showed (the collections of the room read it was rendered from, not copies):
    // a heartbeat's read of the room tells whether it has changed with no event to say so, as when a page without JavaScript
    // closes (its presence lapses in the store; nothing is there to tell the room).
    private IReadOnlyDictionary<string, long> _shownConnected = room.Connected;
    private IReadOnlySet<string> _shownWithoutLive = room.WithoutLiveUpdates;
    // Who the last roster sent here listed, the DC the last DC panel showed and whether the last door said locked: a heartbeat's
    // read of the room puts right a join, leave, kick, DC or lock whose event this page missed (pub/sub is at most once).
    private IReadOnlyList<Player> _shownPlayers = room.Players;
    private int? _shownDc = room.Room.Dc;
    private bool _shownLocked = room.Room.Locked;
    private IReadOnlyList<Knock> _shownKnocks = [];
    private long _lastSent = after;
    private DateTimeOffset _warnedForExpiry;
    private DateTimeOffset _nextHeartbeat;
    private bool _ended;

    // The heartbeat's or warning's timer, one per page, and when it is due (see ArmTimer): it wakes the page through its queue.
    private ITimer? _timer;
    private DateTimeOffset _timerDue;
    private volatile bool _timerFired;
    private ChannelWriter<LiveEvent>? _queue;

    // What is drained from the queue at a wake, kept for the page's life (read to its end before the next drain).
    private readonly List<SseItem<byte[]>> _drained = [];

    private Viewer? _viewer;

    private Viewer Viewer => _viewer is { } viewer && viewer.IsDm == _isDm ? viewer : _viewer = new(me.PlayerId, _isDm, formToken);

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    public async IAsyncEnumerable<SseItem<byte[]>> RunAsync([EnumeratorCancellation] CancellationToken ct)
    {
        // Subscribe before reading history, so nothing that happens in between is lost.
        using var subscription = broadcaster.Subscribe(_code);
        // One wait wakes the page for everything (see WaitAsync): its events, and its timer, the stream's end and its replacement
        // by a newer tab, which put a wake-up in its queue.
        _queue = subscription.Writer;
        using var ending = ct.UnsafeRegister(static q => ((ChannelWriter<LiveEvent>)q!).TryComplete(), _queue);
        _ = replaced?.ContinueWith(static (_, q) => WakeUp((ChannelWriter<LiveEvent>)q!), _queue, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        using var measured = Shared.DiceRollerMetrics.StreamOpened(_code, me.PlayerId);
        var wasConnected = _room.IsConnected(me.PlayerId);
        await store.SetPresenceAsync(_code, me.PlayerId, _streamId, PresenceExpiry(), ct);
        _nextHeartbeat = time.GetUtcNow() + options.HeartbeatInterval;
        if (!wasConnected)
        {
            await publisher.PublishAsync(RoomEvent.ForPlayerJoined(_code, me), ct);
        }

        try
        {
            yield return new SseItem<byte[]>(ConnectedData, "connected") { ReconnectionInterval = options.ReconnectDelay };

            // A page that reconnects may have missed joins, leaves and DC changes: send the current state first.
            yield return await RosterItemAsync(RoomEvent.PlayerJoinedType, ct);
            yield return await DcItemAsync(ct);
            yield return await DoorItemAsync(ct);
            if (initiative is not null)
            {
                yield return await InitiativeItemAsync(ct, readRoom: false); // the door's read of the room is fresh
            }

            foreach (var item in await CatchUpAsync(ct))
            {
                yield return item;
            }

            while (!ct.IsCancellationRequested && !_ended)
            {
                var wake = await WaitAsync(subscription, ct);
                if (wake == Wake.Closed)
                {
                    yield break;
                }

                if (wake == Wake.Replaced)
                {
                    // A newer tab of this player took this stream's place: say so, and end (the page does not reconnect).
                    yield return await NoticeAsync(NoticeModel.ReplacedType, NoticeModel.Replaced(_code));
                    yield break;
                }

                var items = wake == Wake.Event ? await DrainAsync(subscription, ct) : await OnTimerAsync(ct);
                foreach (var item in items)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            StopTimer();
            await LeaveAsync();
        }
    }

    private enum Wake
    {
        Event,
        Timer,
        Closed,
        Replaced,
    }

    /// <summary>
    /// Waits for a room event, or for the next heartbeat or expiry warning, whichever comes first: one wait on the page's queue
    /// (no cancellation token, so the channel's own waiter serves every wait; the stream's end completes the queue), into which the
    /// timer and a newer tab put a wake-up when nothing else is there to wake the page. A wake-up is not an event: each wake looks
    /// at what is due.
    /// </summary>
    private async ValueTask<Wake> WaitAsync(RoomSubscription subscription, CancellationToken ct)
    {
        var reader = subscription.Reader;
        while (true)
        {
            if (replaced?.IsCompleted == true)
            {
                return Wake.Replaced;
            }

            if (ct.IsCancellationRequested)
            {
                return Wake.Closed;
            }

            while (reader.TryPeek(out var next) && ReferenceEquals(next, WakeUpEvent))
            {
                reader.TryRead(out _);
            }

            if (reader.TryPeek(out _))
            {
                return Wake.Event;
            }

            var due = NextTimer();
            var until = due - time.GetUtcNow();
            if (until <= TimeSpan.Zero)
            {
                return Wake.Timer;
            }

            ArmTimer(due, until);
            if (!await reader.WaitToReadAsync(CancellationToken.None))
            {
                return Wake.Closed;
            }
        }
    }

    /// <summary>A page's wake-up in its queue (only into an empty queue: with events there, the page wakes anyway and looks at what is due).</summary>
    private static readonly LiveEvent WakeUpEvent = new(new RoomEvent("", "wake-up", 0));

    private static void WakeUp(ChannelWriter<LiveEvent> queue) => queue.TryWrite(WakeUpEvent);

    /// <summary>
    /// The timer set for <paramref name="due"/> (the next heartbeat or warning), kept across waits while that time stays the same and
    /// it has not fired: in a busy room events wake the page far more often than heartbeats.
    /// </summary>
    private void ArmTimer(DateTimeOffset due, TimeSpan until)
    {
        if (_timer is not null && _timerDue == due && !_timerFired)
        {
            return;
        }

        _timerDue = due;
        _timerFired = false;
        if (_timer is null)
        {
            _timer = time.CreateTimer(static s => ((LiveSession)s!).OnTimerFired(), this, until, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(until, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimerFired()
    {
        _timerFired = true;
        if (_queue is { } queue)
        {
            WakeUp(queue);
        }
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>
    /// The next heartbeat, or (only while the room is not held by any open page) the next unsent warning or the expiry.
    /// A room still there past its expiry (clocks of app and Valkey differ a little) is looked at again each second.
    /// </summary>
    private DateTimeOffset NextTimer()
    {
        var next = _nextHeartbeat;
        if (IsHeld)
        {
            return next;
        }

        var now = time.GetUtcNow();
        var expiresAt = ExpiresAt;
        var candidates = roomOptions.ExpiryWarnings.Where(s => !_warned.Contains(s)).Select(s => expiresAt.AddSeconds(-s)).Append(expiresAt);
        foreach (var at in candidates)
        {
            var due = at > now || at != expiresAt ? at : now.AddSeconds(1);
            next = due < next ? due : next;
        }

        return next;
    }

    /// <summary>
    /// Whether an open page (this one, normally) holds the room open. A room lives its TTL after its last open page
    /// left or its last activity, whichever is later, so while a page is connected it does not expire and nobody is
    /// warned. Only a page whose own presence has lapsed (its heartbeats could not be recorded) sees the room's clock
    /// run, and gets the warnings.
    /// </summary>
    private bool IsHeld => _held;

    private static bool IsHeldBy(RoomSnapshot room) => room.Connected.Count > 0;

    /// <summary>When the store drops the room unless something happens.</summary>
    private DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeMilliseconds(_expiresAt);

    private static long ExpiryOf(RoomSnapshot room) => room.ExpiresAt ?? (room.Room.LastActivity + (room.Room.TtlSeconds * 1000L));

    /// <summary>Takes what this page needs from a fresh read of the room.</summary>
    private void Note(RoomSnapshot room)
    {
        _isDm = room.IsDm(me.PlayerId);
        _held = IsHeldBy(room);
        _expiresAt = ExpiryOf(room);
    }

    /// <summary>
    /// Heartbeat and presence refresh (which holds the room open); the roster again if someone's presence changed with no event
    /// (from the heartbeat's own read of the room); warnings only for a room nobody holds, then room-closed.
    /// </summary>
    private async Task<List<SseItem<byte[]>>> OnTimerAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now >= _nextHeartbeat)
        {
            _nextHeartbeat = now + options.HeartbeatInterval;
            await WriteHeartbeatAsync(ct);
            await store.SetPresenceAsync(_code, me.PlayerId, _streamId, PresenceExpiry(), ct);
        }

        var fresh = await store.GetAsync(_code, ct);
        if (fresh is null)
        {
            _ended = true;
            return [await NoticeAsync(RoomEvent.RoomClosedType, NoticeModel.Closed(RoomEvent.Reasons.Expired))];
        }

        Note(fresh);
        var items = await PutRightAsync(fresh, live: null, ct);
        if (_ended)
        {
            return items;
        }

        var expiresAt = ExpiresAt;
        if (IsHeld || expiresAt > _warnedForExpiry)
        {
            // Held open, or pushed back by activity: warnings start over.
            _warned.Clear();
            _warnedForExpiry = expiresAt;
        }

        if (IsHeld)
        {
            return items;
        }

        var remaining = expiresAt - now;
        var due = roomOptions.ExpiryWarnings.Where(s => !_warned.Contains(s) && remaining <= TimeSpan.FromSeconds(s)).ToList();
        if (due.Count == 0)
        {
            return items;
        }

        _warned.UnionWith(due);
        var shown = due.Min();
        items.Add(await NoticeAsync(RoomEvent.RoomExpiringType, NoticeModel.Expiring(shown)));
        return items;
    }

    /// <summary>
    /// What this page shows that <paramref name="fresh"/> (a read of the room with no event to prompt it: a heartbeat's, a
    /// resync's) says is wrong, because an event did not reach it (pub/sub is at most once) or there was none (a presence
    /// that lapsed): the roster when someone's presence or membership differs, the DC, the door when its lock differs (or, with
    /// <paramref name="knocks"/>, for the room's admin, the knocks waiting), and the end of the page when the player is no longer
    /// in the room. Nothing when all is right.
    /// </summary>
    private async Task<List<SseItem<byte[]>>> PutRightAsync(RoomSnapshot fresh, LiveEvent? live, CancellationToken ct, bool knocks = false)
    {
        if (fresh.FindPlayer(me.PlayerId) is null)
        {
            // Removed, or gone from the room from another page, and the event that said so did not come: this page is no longer in it.
            _ended = true;
            return fresh.Kicked.Contains(me.PlayerId)
                ? [await NoticeAsync(RoomEvent.PlayerKickedType, NoticeModel.Kicked())]
                : [await NoticeAsync(RoomEvent.RoomLeftType, NoticeModel.Left())];
        }

        var items = PresenceChanged(fresh) ? await PresenceItemsAsync(fresh)
            : MembersChanged(fresh) ? [await RosterHtmlAsync(RoomEvent.PlayerJoinedType, room: fresh)]
            : [];
        if (fresh.Room.Dc != _shownDc)
        {
            items.Add(await DcHtmlAsync(fresh));
        }

        if (fresh.Room.Locked != _shownLocked || (knocks && fresh.IsAdmin(me.PlayerId) && !SameKnocks(await WaitingKnocksAsync(live, ct))))
        {
            items.Add(await DoorHtmlAsync(fresh, live, ct));
        }

        return items;
    }

    /// <summary>Whether a member's presence in <paramref name="fresh"/> is not what the last roster sent here showed (a loop, no allocation).</summary>
    private bool PresenceChanged(RoomSnapshot fresh)
    {
        var players = fresh.Players;
        for (var i = 0; i < players.Count; i++)
        {
            var id = players[i].PlayerId;
            if (fresh.IsConnected(id) != _shownConnected.ContainsKey(id) || fresh.WithoutLiveUpdates.Contains(id) != _shownWithoutLive.Contains(id))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="fresh"/> has members the last roster sent here did not list, or lacks some it did: a join, leave
    /// or kick whose event did not reach this page (a loop, no allocation; a room has at most a few members).
    /// </summary>
    private bool MembersChanged(RoomSnapshot fresh)
    {
        var (players, shown) = (fresh.Players, _shownPlayers);
        if (ReferenceEquals(players, shown))
        {
            return false;
        }

        if (players.Count != shown.Count)
        {
            return true;
        }

        for (var i = 0; i < players.Count; i++)
        {
            var found = false;
            for (var j = 0; j < shown.Count && !found; j++)
            {
                found = players[i].PlayerId == shown[j].PlayerId;
            }

            if (!found)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The roster as <paramref name="fresh"/> has it, when presence changed with no event to say so. A player shown present and
    /// now not gets the roster a disconnect sends (<c>player-left</c>, reason disconnect): the same roster again when the event is
    /// only on its way, and the one word when nothing will come (a stream's instance went away). A page without JavaScript that
    /// closed (its heartbeats stopped, so its presence lapsed) is said, "Bob is offline."; a stream that ends may be a reload
    /// and is not. Any other change (a player's page without JavaScript beside a stream opened or closed) updates the marks.
    /// </summary>
    private async Task<List<SseItem<byte[]>>> PresenceItemsAsync(RoomSnapshot fresh)
    {
        var (wereConnected, wereWithoutLive) = (_shownConnected, _shownWithoutLive);
        _room = fresh;
        var items = new List<SseItem<byte[]>>();
        foreach (var player in fresh.Players)
        {
            if (wereConnected.ContainsKey(player.PlayerId) && !fresh.IsConnected(player.PlayerId))
            {
                items.Add(await RosterHtmlAsync(RoomEvent.PlayerLeftType, new RosterChange(player.PlayerId, RoomEvent.Reasons.Disconnect)
                {
                    Name = player.Name,
                    Lapsed = wereWithoutLive.Contains(player.PlayerId),
                }));
            }
        }

        if (items.Count == 0)
        {
            items.Add(await RosterHtmlAsync(RoomEvent.PlayerJoinedType)); // the current state, as a page gets on connecting
        }

        return items;
    }

    private async Task<List<SseItem<byte[]>>> DrainAsync(RoomSubscription subscription, CancellationToken ct)
    {
        var items = _drained;
        items.Clear();
        while (!_ended && subscription.Reader.TryRead(out var roomEvent))
        {
            if (ReferenceEquals(roomEvent, WakeUpEvent))
            {
                continue;
            }

            if (roomEvent.Event is { Type: RoomEvent.RollType, Roll: { } roll } && roomEvent.Event.Sequence == _lastSent + 1)
            {
                items.Add(await RollItemAsync(roll, roomEvent)); // the common case, without a list of its own
                continue;
            }

            items.AddRange(await HandleAsync(roomEvent, ct));
        }

        return items;
    }

    private async Task<List<SseItem<byte[]>>> HandleAsync(LiveEvent live, CancellationToken ct)
    {
        var roomEvent = live.Event;
        switch (roomEvent.Type)
        {
            case RoomEvent.RollType when roomEvent.Roll is not null:
                if (roomEvent.Sequence <= _lastSent)
                {
                    return []; // already sent (replayed from history, or a duplicate)
                }

                if (roomEvent.Sequence == _lastSent + 1)
                {
                    return [await RollItemAsync(roomEvent.Roll, live)];
                }

                logger.LogInformation("Gap in {RoomCode}: got #{Sequence} after #{LastSent}; filling from history",
                    _code, roomEvent.Sequence, _lastSent);
                return await CatchUpAsync(ct);

            case RoomBroadcaster.ResyncType:
                return await ResyncAsync(live, ct);

            case RoomEvent.RollRevealedType when roomEvent.Roll is not null:
                return [await RevealedItemAsync(roomEvent.Roll, live)];

            case RoomEvent.PlayerKickedType when roomEvent.Player?.PlayerId == me.PlayerId:
                _ended = true;
                return [await NoticeAsync(RoomEvent.PlayerKickedType, NoticeModel.Kicked())];

            case RoomEvent.PlayerLeftType when roomEvent.Player?.PlayerId == me.PlayerId && roomEvent.Reason == RoomEvent.Reasons.Left:
                // This player left the room (from this page or another of theirs): this page is no longer in it.
                _ended = true;
                return [await NoticeAsync(RoomEvent.RoomLeftType, NoticeModel.Left())];

            case RoomEvent.PlayerJoinedType or RoomEvent.PlayerLeftType or RoomEvent.PlayerKickedType:
                var joined = roomEvent.Type == RoomEvent.PlayerJoinedType;
                var roster = await RosterItemAsync(joined ? RoomEvent.PlayerJoinedType : RoomEvent.PlayerLeftType, ct, live,
                    roomEvent.Player is null ? null : new RosterChange(roomEvent.Player.PlayerId, joined ? null : roomEvent.Reason ?? RoomEvent.Reasons.Disconnect)
                    {
                        Name = roomEvent.Player.Name,
                    });
                // A player who left or was removed drops out of the initiative order (their turn, if it was, passes on).
                return initiative is not null && roomEvent.Reason is RoomEvent.Reasons.Kicked or RoomEvent.Reasons.Left
                    ? [roster, await InitiativeItemAsync(ct, live)]
                    : [roster];

            case RoomEvent.InitiativeType when initiative is not null:
                return [await InitiativeItemAsync(ct, live)];

            case RoomEvent.RolesChangedType when roomEvent.Player?.PlayerId == me.PlayerId:
                return [new SseItem<byte[]>(ReloadData, RoomEvent.RolesChangedType)];

            case RoomEvent.DcUpdatedType:
                return [await DcItemAsync(ct, live)];

            case RoomEvent.DoorChangedType:
                return [await DoorItemAsync(ct, live)];

            case RoomEvent.ModeChangedType when roomEvent.ModeChange is not null:
                await ReadRoomAsync(live, ct);
                var change = roomEvent.ModeChange;
                var room = _room;
                var marker = await live.Shared("mode", () => RenderAsync(_ModeMarker.Create(new ModeMarkerModel(change, room.FindPlayer(change.DmPlayerId)?.Name))));
                return [new SseItem<byte[]>(marker, RoomEvent.ModeChangedType)];

            case RoomEvent.SeedRotatedType:
                var commitment = await live.Shared("commitment", () => RenderAsync(_Commitment.Create(new CommitmentModel(roomEvent.Commitment, OutOfBand: true))));
                return [new SseItem<byte[]>(commitment, RoomEvent.SeedRotatedType)];

            case RoomEvent.RoomClosedType:
                _ended = true;
                var closed = NoticeModel.Closed(roomEvent.Reason ?? RoomEvent.Reasons.CreatorClosed);
                return [new SseItem<byte[]>(await live.Shared("notice", () => RenderAsync(_Notice.Create(closed))), RoomEvent.RoomClosedType)];

            default:
                return [];
        }
    }

    /// <summary>
    /// After a window in which events may have been lost (the instance's Valkey subscription of the room came up, or back): what
    /// the room as it is now says this page shows wrong (see <see cref="PutRightAsync"/>, the knocks included), then the rolls it
    /// has not had. The room and the knocks are read once for all of the room's pages here (the resync is one event per room);
    /// a page that shows it all right gets only the rolls it missed, if any. (An initiative event that was lost is put right by
    /// the next one: each carries the whole tracker.)
    /// </summary>
    private async Task<List<SseItem<byte[]>>> ResyncAsync(LiveEvent live, CancellationToken ct)
    {
        var fresh = await live.Shared("room", () => store.GetAsync(_code, CancellationToken.None));
        if (fresh is null)
        {
            return await CatchUpAsync(ct);
        }

        Note(fresh);
        var items = await PutRightAsync(fresh, live, ct, knocks: true);
        if (!_ended)
        {
            items.AddRange(await CatchUpAsync(ct));
        }

        return items;
    }

    /// <summary>Whether <paramref name="knocks"/> are the knocks the last door sent here listed.</summary>
    private bool SameKnocks(IReadOnlyList<Knock> knocks)
    {
        if (knocks.Count != _shownKnocks.Count)
        {
            return false;
        }

        for (var i = 0; i < knocks.Count; i++)
        {
            if (knocks[i].KnockId != _shownKnocks[i].KnockId)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The knocks waiting for an answer: read once per live event for every page of this instance, else by this page.</summary>
    private Task<IReadOnlyList<Knock>> WaitingKnocksAsync(LiveEvent? live, CancellationToken ct) =>
        live is null ? door.GetWaitingKnocksAsync(_code, Now, ct)
            : live.Shared("knocks", () => door.GetWaitingKnocksAsync(_code, Now, CancellationToken.None));

    /// <summary>Everything in history after the last sequence sent, in order.</summary>
    private async Task<List<SseItem<byte[]>>> CatchUpAsync(CancellationToken ct)
    {
        var items = new List<SseItem<byte[]>>();
        while (true)
        {
            var rolls = await rollLog.GetRollsAfterAsync(_code, _lastSent, ReplayBatch, ct);
            foreach (var roll in rolls)
            {
                items.Add(await RollItemAsync(roll));
            }

            if (rolls.Count < ReplayBatch)
            {
                return items;
            }
        }
    }

    /// <summary>
    /// The roll's row for this viewer; from a live event, rendered once per distinct view and shared. A roll by someone else
    /// also carries its line of the phone's "At the table" strip, out of band (Rolls/_TableRoll.cshtml, as the page renders it).
    /// </summary>
    private async Task<SseItem<byte[]>> RollItemAsync(Roll roll, LiveEvent? live = null)
    {
        var entry = new RollEntryModel(roll, Viewer);
        // The row with the strip's line is one shared payload per view, so no page joins the two bytes of its own.
        var withLine = roll.PlayerId != me.PlayerId;
        var html = live is null ? await RollHtmlAsync(entry, withLine) : await SharedRollHtmlAsync(live, entry, withLine);

        _lastSent = roll.Sequence;
        return new SseItem<byte[]>(html, RoomEvent.RollType) { EventId = live?.EventId ?? roll.Sequence.ToString(CultureInfo.InvariantCulture) };
    }

    /// <summary>
    /// A revealed roll: its row in place of the hidden one, and for a roll by someone else its line of the "At the table" strip in
    /// place of the line that said "in secret" (out of band by id: a page whose strip no longer shows it has nothing to swap).
    /// </summary>
    private async Task<SseItem<byte[]>> RevealedItemAsync(Roll roll, LiveEvent live)
    {
        var revealed = new RollEntryModel(roll, Viewer, OutOfBand: true);
        var html = await SharedRollHtmlAsync(live, revealed, withLine: roll.PlayerId != me.PlayerId);
        return new SseItem<byte[]>(html, RoomEvent.RollRevealedType);
    }

    /// <summary>The room as it is now: read once per live event for every page of this instance, else by this page.</summary>
    private async Task ReadRoomAsync(LiveEvent? live, CancellationToken ct)
    {
        var room = live is null ? await store.GetAsync(_code, ct) : await live.Shared("room", () => store.GetAsync(_code, CancellationToken.None));
        if (room is not null)
        {
            _room = room;
            Note(room);
        }
    }

    private async Task<SseItem<byte[]>> RosterItemAsync(string type, CancellationToken ct, LiveEvent? live = null, RosterChange? change = null)
    {
        await ReadRoomAsync(live, ct);
        return await RosterHtmlAsync(type, change);
    }

    /// <summary>
    /// The roster as last read (<see cref="_room"/>), or as <paramref name="room"/> (which becomes the last read); who it lists
    /// and what it shows of presence is what later heartbeats compare with.
    /// </summary>
    private async Task<SseItem<byte[]>> RosterHtmlAsync(string type, RosterChange? change = null, RoomSnapshot? room = null)
    {
        room = _room = room ?? _room;
        _shownConnected = room.Connected;
        _shownWithoutLive = room.WithoutLiveUpdates;
        _shownPlayers = room.Players;
        var html = await RenderAsync(_Roster.Create(new RosterModel(room, me.PlayerId, formToken, roomOptions.MaxPlayers) { Change = change }));
        return new SseItem<byte[]>(html, type);
    }

    private async Task<SseItem<byte[]>> DcItemAsync(CancellationToken ct, LiveEvent? live = null)
    {
        await ReadRoomAsync(live, ct);
        return await DcHtmlAsync(_room);
    }

    /// <summary>The DC panel as <paramref name="room"/> has it; its DC is what later heartbeats compare with.</summary>
    private async Task<SseItem<byte[]>> DcHtmlAsync(RoomSnapshot room)
    {
        _shownDc = room.Room.Dc;
        var html = await RenderAsync(_DcStatus.Create(new DcModel(room, me.PlayerId, formToken)));
        return new SseItem<byte[]>(html, RoomEvent.DcUpdatedType);
    }

    /// <summary>The lock and, for the room's admin, the knocks waiting for an answer.</summary>
    private async Task<SseItem<byte[]>> DoorItemAsync(CancellationToken ct, LiveEvent? live = null)
    {
        await ReadRoomAsync(live, ct);
        return await DoorHtmlAsync(_room, live, ct);
    }

    /// <summary>
    /// The door as <paramref name="room"/> has it (the knocks read for it); its lock and knocks are what later heartbeats and
    /// resyncs compare with.
    /// </summary>
    private async Task<SseItem<byte[]>> DoorHtmlAsync(RoomSnapshot room, LiveEvent? live, CancellationToken ct)
    {
        _shownLocked = room.Room.Locked;
        var knocks = !room.IsAdmin(me.PlayerId) ? [] : await WaitingKnocksAsync(live, ct);
        _shownKnocks = knocks;
        var lastKick = !room.IsAdmin(me.PlayerId) ? null
            : live is null ? await door.GetLastAddressKickAsync(_code, ct)
            : await live.Shared("last-kick", () => door.GetLastAddressKickAsync(_code, CancellationToken.None));
        var knockUntil = DoorService.KnockUntil(lastKick, roomOptions.KickKnockWindow, Now);
        var html = await RenderAsync(_Door.Create(new DoorModel(room, me.PlayerId, formToken, knocks, knockUntil)));
        return new SseItem<byte[]>(html, RoomEvent.DoorChangedType);
    }

    /// <summary>The initiative tracker for this viewer (the encounter read once per live event for every page here).</summary>
    private async Task<SseItem<byte[]>> InitiativeItemAsync(CancellationToken ct, LiveEvent? live = null, bool readRoom = true)
    {
        if (readRoom)
        {
            await ReadRoomAsync(live, ct);
        }

        var room = _room;
        var encounter = live is null ? await initiative!.ReadAsync(room, ct)
            : await live.Shared("initiative", () => initiative!.ReadAsync(room, CancellationToken.None));
        var html = await RenderAsync(_Initiative.Create(new InitiativeModel(_code, encounter, Viewer)));
        return new SseItem<byte[]>(html, RoomEvent.InitiativeType);
    }

    private async Task<SseItem<byte[]>> NoticeAsync(string type, NoticeModel notice) =>
        new(await RenderAsync(_Notice.Create(notice)), type);

    private long PresenceExpiry() => (time.GetUtcNow() + (options.HeartbeatInterval * 3)).ToUnixTimeMilliseconds();

    /// <summary>The page is gone: forget its presence, and tell the room if that was the player's last open page.</summary>
    private async Task LeaveAsync()
    {
        try
        {
            var stillHere = await store.RemovePresenceAsync(_code, me.PlayerId, _streamId, Now, CancellationToken.None);
            if (!stillHere && !_ended)
            {
                await publisher.PublishAsync(RoomEvent.ForPlayerLeft(_code, me, RoomEvent.Reasons.Disconnect), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning(ex, "Could not record that {PlayerId} left {RoomCode}", me.PlayerId, _code);
        }
    }

    private async Task WriteHeartbeatAsync(CancellationToken ct)
    {
        try
        {
            context.Response.BodyWriter.Write(": heartbeat\n\n"u8);
            await SseStreamResult.FlushOrCutAsync(context, options.StalledStreamTimeout, time);
        }
        catch (OperationCanceledException)
        {
            // The client went away; the loop ends on the next wait.
        }
    }

    private static Task<byte[]> RenderAsync(RazorSlice slice) => LiveEvent.RenderAsync(slice);

    private static readonly byte[] TableLineStart = "<div hx-swap-oob=\"afterbegin:#table-rolls\">"u8.ToArray();
    private static readonly byte[] TableLineEnd = "</div>"u8.ToArray();

    private static async Task<byte[]> RollHtmlAsync(RollEntryModel entry, bool withLine)
    {
        var row = await RowHtmlAsync(entry);
        return withLine ? await WithLineAsync(row, entry) : row;
    }

    /// <summary>
    /// The row for this view, made once per live event and view; for the others' pages, the same row (made once, not once more
    /// with the line) followed by the strip's line, also once per view.
    /// </summary>
    private static Task<byte[]> SharedRollHtmlAsync(LiveEvent live, RollEntryModel entry, bool withLine)
    {
        var (rowKey, lineKey) = LiveEvent.RollViewKeys(entry);
        return withLine
            ? live.Shared(lineKey, (live, rowKey, entry), static async s => await WithLineAsync(await s.live.Shared(s.rowKey, s.entry, static e => RowHtmlAsync(e)), s.entry))
            : live.Shared(rowKey, entry, static e => RowHtmlAsync(e));
    }

    private static Task<byte[]> RowHtmlAsync(RollEntryModel entry) => RenderAsync(_RollEntry.Create(entry));

    /// <summary>The row and the roll's line of the strip: a new roll's line goes on top of it; a revealed roll's line (out of band) replaces its own line by id.</summary>
    private static async Task<byte[]> WithLineAsync(byte[] row, RollEntryModel entry)
    {
        var line = await RenderAsync(_TableRoll.Create(entry));
        return entry.OutOfBand ? [.. row, .. line] : [.. row, .. TableLineStart, .. line, .. TableLineEnd];
    }
}
