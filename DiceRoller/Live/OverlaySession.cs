using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using DiceRoller.Rooms;
using DiceRoller.Sharing;

namespace DiceRoller.Live;

/// <summary>
/// One open stream overlay: the room's public rolls as they come (the room's own live events, the same fan-out as the room's
/// pages), a hidden roll only once it is revealed, heartbeat comments; no presence (an overlay is nobody at the table). Ends
/// when the room closes or when its token is no longer the room's (renewed: the room event, or the check at each heartbeat).
/// </summary>
internal sealed class OverlaySession(string code, string token, long after, IRollLog rollLog, SharingService sharing, RoomBroadcaster broadcaster,
    TimeProvider time, LiveOptions options, OverlayLook look)
{
    public const string EndedType = "overlay-ended";
    private const int ReplayBatch = 200;
    private static readonly byte[] ConnectedData = "ok"u8.ToArray();
    private static readonly byte[] EndedData = "ended"u8.ToArray();
    private long _lastSeen = after;

    public async IAsyncEnumerable<SseItem<byte[]>> RunAsync([EnumeratorCancellation] CancellationToken ct)
    {
        using var subscription = broadcaster.Subscribe(code);
        yield return new SseItem<byte[]>(ConnectedData, "connected") { ReconnectionInterval = options.ReconnectDelay };
        foreach (var item in await CatchUpAsync(ct))
        {
            yield return item;
        }

        // One wait for the next event, kept across heartbeats (a new one per heartbeat would pile up waiters in the channel).
        Task<bool>? read = null;
        while (!ct.IsCancellationRequested)
        {
            read ??= subscription.Reader.WaitToReadAsync(ct).AsTask();
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var woke = await Task.WhenAny(read, Task.Delay(options.HeartbeatInterval, time, timer.Token));
            await timer.CancelAsync();
            if (ct.IsCancellationRequested)
            {
                yield break;
            }

            if (woke != read)
            {
                if (!await sharing.IsOverlayTokenAsync(code, token, ct))
                {
                    yield return new SseItem<byte[]>(EndedData, EndedType);
                    yield break;
                }

                yield return new SseItem<byte[]>([], "heartbeat");
                continue;
            }

            if (!await read)
            {
                yield break;
            }

            read = null;

            while (subscription.Reader.TryRead(out var live))
            {
                var (items, end) = await HandleAsync(live.Event, ct);
                foreach (var item in items)
                {
                    yield return item;
                }

                if (end)
                {
                    yield return new SseItem<byte[]>(EndedData, EndedType);
                    yield break;
                }
            }
        }
    }

    private async Task<(List<SseItem<byte[]>> Items, bool End)> HandleAsync(RoomEvent roomEvent, CancellationToken ct)
    {
        switch (roomEvent.Type)
        {
            case RoomEvent.RollType when roomEvent.Roll is { } roll:
                if (roll.Sequence <= _lastSeen)
                {
                    return ([], false);
                }

                if (roll.Sequence == _lastSeen + 1)
                {
                    _lastSeen = roll.Sequence;
                    return (roll.IsVisibleTo(null) ? [await ItemAsync(roll, RoomEvent.RollType)] : [], false);
                }

                return (await CatchUpAsync(ct), false);
            case RoomBroadcaster.ResyncType:
                return (await CatchUpAsync(ct), false);
            case RoomEvent.RollRevealedType when roomEvent.Roll is { } revealed:
                return ([await ItemAsync(revealed, RoomEvent.RollRevealedType)], false);
            case SharingService.OverlayRenewedType:
                return ([], !await sharing.IsOverlayTokenAsync(code, token, ct));
            case RoomEvent.RoomClosedType:
                return ([], true);
            default:
                return ([], false);
        }
    }

    /// <summary>The public rolls after the last one seen; hidden rolls are passed over (a reveal brings them).</summary>
    private async Task<List<SseItem<byte[]>>> CatchUpAsync(CancellationToken ct)
    {
        var items = new List<SseItem<byte[]>>();
        while (true)
        {
            var rolls = await rollLog.GetRollsAfterAsync(code, _lastSeen, ReplayBatch, ct);
            foreach (var roll in rolls)
            {
                _lastSeen = roll.Sequence;
                if (roll.IsVisibleTo(null))
                {
                    items.Add(await ItemAsync(roll, RoomEvent.RollType));
                }
            }

            // Only the newest few matter on screen.
            if (rolls.Count < ReplayBatch)
            {
                return items.Count > OverlayLook.Shown ? items[^OverlayLook.Shown..] : items;
            }
        }
    }

    private async Task<SseItem<byte[]>> ItemAsync(Roll roll, string type) =>
        new(await LiveEvent.RenderAsync(_OverlayRoll.Create(new OverlayRollModel(roll, look))), type)
        {
            EventId = _lastSeen.ToString(CultureInfo.InvariantCulture),
        };
}
