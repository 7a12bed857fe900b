using DiceRoller.Rooms;
using DiceRoller.Storage;
using StackExchange.Redis;

namespace DiceRoller.Live;

/// <summary>
/// Fan-out across app instances through Valkey pub/sub: publish to the room's channel, and one pattern
/// subscription per instance feeds the local <see cref="RoomBroadcaster"/>. Pub/sub is at-most-once, so
/// after a reconnect every open page is told to resync from history.
/// </summary>
public sealed class ValkeyRoomEvents(IConnectionMultiplexer redis, RoomBroadcaster broadcaster, ILogger<ValkeyRoomEvents> logger)
    : IRoomEventPublisher, IHostedService
{
    public async Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roomEvent);
        await redis.GetSubscriber().PublishAsync(ValkeyKeys.Events(roomEvent.RoomCode), RoomJson.Serialize(roomEvent));
    }

    private readonly CancellationTokenSource _stopping = new();
    private Task _subscribing = Task.CompletedTask;

    /// <summary>
    /// Subscribes in the background, retrying until Valkey answers: the app starts (and serves what it can)
    /// even while Valkey is still coming up. Once subscribed, the client library resubscribes after drops.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        _subscribing = SubscribeAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops subscribing. Safe to call more than once (test hosts stop, then dispose).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        await _stopping.CancelAsync();
        await _subscribing;
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(ValkeyKeys.AllEvents, OnMessage);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            logger.LogDebug(ex, "Could not unsubscribe from Valkey while stopping");
        }
    }

    private async Task SubscribeAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(ValkeyKeys.AllEvents, OnMessage);
                broadcaster.ResyncAll();
                return;
            }
            catch (RedisException ex)
            {
                logger.LogWarning(ex, "Valkey subscription failed; retrying in {DelayMs} ms", delay.TotalMilliseconds);
            }

            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        try
        {
            var roomEvent = RoomJson.Deserialize<RoomEvent>(message.ToString());
            if (roomEvent is not null)
            {
                broadcaster.Deliver(roomEvent);
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            logger.LogWarning(ex, "Ignoring a malformed room event on {Channel}", channel.ToString());
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        logger.LogInformation("Valkey connection restored ({ConnectionType}); resyncing open room pages", e.ConnectionType);
        broadcaster.ResyncAll();
    }
}
