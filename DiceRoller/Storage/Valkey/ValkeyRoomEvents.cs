using System.Collections.Concurrent;
using DiceRoller.Live;
using DiceRoller.Rooms;
using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// Fan-out across app instances through Valkey sharded pub/sub (SPUBLISH/SSUBSCRIBE, Valkey/Redis 7+, single node or
/// cluster). Each room has its own channel, <c>room:{CODE}:events</c>, in the slot of the room's keys, so on a cluster
/// its messages travel only through the room's shard. An instance subscribes to a room's channel when the first local
/// page of the room opens and unsubscribes when the last one closes: a message reaches only the instances that have a
/// page of that room open, and a dead shard silences only its own rooms. Pub/sub is at-most-once, so once a
/// subscription is live (first open, reconnect, failover) the room's open pages are told to resync from history.
/// </summary>
public sealed class ValkeyRoomEvents(IConnectionMultiplexer redis, RoomBroadcaster broadcaster, ILogger<ValkeyRoomEvents> logger,
    Microsoft.Extensions.Options.IOptions<ValkeyOptions>? options = null, ValkeyRecentRooms? recent = null)
    : IRoomEventPublisher, IHostedService
{
    private readonly TimeSpan _checkInterval = options?.Value.SubscriptionCheckInterval ?? TimeSpan.FromSeconds(1);
    private Task _checking = Task.CompletedTask;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, RoomLink> _links = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _received;

    /// <summary>Room events this instance received from Valkey since it started (a test and metrics counter).</summary>
    public long MessagesReceived => Interlocked.Read(ref _received);

    /// <summary>The rooms whose channel this instance is subscribed to right now.</summary>
    public IReadOnlyCollection<string> SubscribedRooms => _links.Where(l => l.Value.Subscribed).Select(l => l.Key).ToList();

    public async Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roomEvent);
        await redis.GetSubscriber().PublishAsync(ValkeyKeys.Events(roomEvent.RoomCode), ValkeyKeys.EventMessage(roomEvent));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        broadcaster.RoomInterestChanged += OnRoomInterestChanged;
        redis.ConnectionRestored += OnConnectionRestored;
        _checking = CheckSubscriptionsAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops following rooms and drops every subscription. Safe to call more than once (test hosts stop, then dispose).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        broadcaster.RoomInterestChanged -= OnRoomInterestChanged;
        redis.ConnectionRestored -= OnConnectionRestored;
        await _stopping.CancelAsync();
        await _checking;
        foreach (var (code, link) in _links)
        {
            try
            {
                if (link.Queue is { } queue)
                {
                    await queue.UnsubscribeAsync();
                }
            }
            catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
            {
                logger.LogDebug(ex, "Could not unsubscribe from {RoomCode} while stopping", code);
            }
        }

        _links.Clear();
    }

    private void OnRoomInterestChanged(string code) => _ = FollowAsync(code, TimeSpan.FromMilliseconds(100));

    /// <summary>
    /// Brings the room's subscription in line with whether a local page of it is open. One room at a time under its own
    /// gate (so a quick close-then-open cannot leave the later state undone), never all rooms behind one: a room on a dead
    /// shard retries on its own, with back-off, while it still has pages open.
    /// </summary>
    private async Task FollowAsync(string code, TimeSpan retryDelay)
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            var link = _links.GetOrAdd(code, _ => new RoomLink());
            try
            {
                await link.Gate.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var retry = false;
            try
            {
                if (link.Retired)
                {
                    continue; // a newer link for this room took over
                }

                var wanted = broadcaster.SubscriberCount(code) > 0;
                if (wanted && !link.Subscribed)
                {
                    link.Queue = await SubscribeAsync(code);
                    link.Subscribed = true;
                    recent?.Forget(code);

                    // Events published before the subscription was live went past this instance: the pages re-read history.
                    broadcaster.Deliver(new RoomEvent(code, RoomBroadcaster.ResyncType, 0));
                }
                else if (!wanted && link.Subscribed)
                {
                    await link.Queue!.UnsubscribeAsync();
                    link.Queue = null;
                    link.Subscribed = false;
                }

                if (!wanted && !link.Subscribed)
                {
                    link.Retired = true;
                    _links.TryRemove(new KeyValuePair<string, RoomLink>(code, link));
                }

                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Valkey subscription of {RoomCode} failed; retrying in {DelayMs} ms", code, retryDelay.TotalMilliseconds);
                retry = true;
            }
            finally
            {
                link.Gate.Release();
            }

            if (retry)
            {
                try
                {
                    await Task.Delay(retryDelay, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retryDelay = TimeSpan.FromMilliseconds(Math.Min(retryDelay.TotalMilliseconds * 2, MaxRetryDelay.TotalMilliseconds));
            }
        }
    }

    /// <summary>
    /// Every <see cref="ValkeyOptions.SubscriptionCheckInterval"/>: a room subscription whose node is gone or no longer
    /// owns the channel's slot (a failover promoted its replica) is taken down and made again, which the client library
    /// routes to the slot's current primary; the room's pages then resync from history. Local checks only, unless a
    /// subscription is broken: then the cluster's topology is read again first.
    /// </summary>
    private async Task CheckSubscriptionsAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_checkInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var broken = _links.Where(l => l.Value.Subscribed && !OnOwner(l.Key)).Select(l => l.Key).ToList();
                if (broken.Count == 0)
                {
                    continue;
                }

                try
                {
                    await redis.ConfigureAsync();
                }
                catch (RedisException ex)
                {
                    logger.LogDebug(ex, "Re-reading the Valkey topology failed");
                }

                foreach (var code in broken.Where(c => !OnOwner(c) && HasOwner(c)))
                {
                    await ResubscribeAsync(code);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>True when the room's subscription is live on the node that serves its channel's slot.</summary>
    private bool OnOwner(string code)
    {
        var channel = ValkeyKeys.Events(code);
        var subscriber = redis.GetSubscriber();
        var at = subscriber.SubscribedEndpoint(channel);
        var owner = OwnerOf(code);
        return at is not null && owner is not null && owner.IsConnected && at.Equals(owner.EndPoint) && subscriber.IsConnected(channel);
    }

    private bool HasOwner(string code) => OwnerOf(code) is { IsConnected: true };

    private IServer? OwnerOf(string code)
    {
        try
        {
            return redis.GetServer((RedisKey)ValkeyKeys.Events(code).ToString());
        }
        catch (RedisException)
        {
            return null;
        }
    }

    private async Task ResubscribeAsync(string code)
    {
        if (!_links.TryGetValue(code, out var link))
        {
            return;
        }

        await link.Gate.WaitAsync();
        try
        {
            if (link.Retired || !link.Subscribed)
            {
                return;
            }

            var subscriber = redis.GetSubscriber();
            try
            {
                await link.Queue!.UnsubscribeAsync();
            }
            catch (RedisException ex)
            {
                logger.LogDebug(ex, "Dropping the old subscription of {RoomCode} failed (its node is gone)", code);
            }

            link.Queue = null;
            link.Queue = await SubscribeAsync(code);
            recent?.Forget(code);
            logger.LogInformation("Moved the subscription of {RoomCode} to {EndPoint}; resyncing its pages", code, subscriber.SubscribedEndpoint(ValkeyKeys.Events(code))?.ToString());
            broadcaster.Deliver(new RoomEvent(code, RoomBroadcaster.ResyncType, 0));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            link.Subscribed = false;
            logger.LogWarning(ex, "Moving the subscription of {RoomCode} failed; retrying", code);
            _ = FollowAsync(code, TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            link.Gate.Release();
        }
    }

    /// <summary>
    /// The room's channel, its messages handled one after another in the order they came (a queue per room). The library's
    /// handler form runs messages concurrently, in no set order: a room's join could reach its pages after rolls published
    /// later, and a roll before the one published ahead of it (a needless gap fill from history). Rooms still run side by side.
    /// </summary>
    private async Task<ChannelMessageQueue> SubscribeAsync(string code)
    {
        var queue = await redis.GetSubscriber().SubscribeAsync(ValkeyKeys.Events(code));
        queue.OnMessage(message => OnMessage(message.Channel, message.Message));
        return queue;
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        Interlocked.Increment(ref _received);
        Shared.DiceRollerMetrics.FanOutMessageReceived();
        try
        {
            var roomEvent = RoomJson.Deserialize<RoomEvent>(message.ToString());
            if (roomEvent is not null)
            {
                // Anything but a roll may change who is in the room, its DM, DC or mode: the next roll post reads it afresh.
                if (roomEvent.Type is not (RoomEvent.RollType or RoomEvent.RollRevealedType))
                {
                    recent?.Forget(roomEvent.RoomCode);
                }

                broadcaster.Deliver(roomEvent);
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            logger.LogWarning(ex, "Ignoring a malformed room event on {Channel}", channel.ToString());
        }
    }

    /// <summary>
    /// The client library resubscribes after a dropped connection (and follows a channel's slot to its new primary after a
    /// failover); whatever was published meanwhile is lost to pub/sub, so every open page re-reads history.
    /// </summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        logger.LogInformation("Valkey connection restored ({ConnectionType}, {EndPoint}); resyncing open room pages", e.ConnectionType, e.EndPoint?.ToString());
        recent?.ForgetAll();
        broadcaster.ResyncAll();
    }

    private sealed class RoomLink
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool Subscribed { get; set; }

        public bool Retired { get; set; }

        /// <summary>The room's subscription while <see cref="Subscribed"/>.</summary>
        public ChannelMessageQueue? Queue { get; set; }
    }
}
