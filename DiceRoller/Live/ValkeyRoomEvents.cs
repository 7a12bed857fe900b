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

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.GetSubscriber().SubscribeAsync(ValkeyKeys.AllEvents, OnMessage);
        redis.ConnectionRestored += OnConnectionRestored;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnConnectionRestored;
        await redis.GetSubscriber().UnsubscribeAsync(ValkeyKeys.AllEvents, OnMessage);
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
