using DiceRoller.Live;
using DiceRoller.Rooms;

namespace DiceRoller.Storage;

/// <summary>The embedded default: events go straight to this process's open pages.</summary>
public sealed class InProcessRoomEvents(RoomBroadcaster broadcaster) : IRoomEventPublisher
{
    public Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken = default)
    {
        broadcaster.Deliver(roomEvent);
        return Task.CompletedTask;
    }
}
