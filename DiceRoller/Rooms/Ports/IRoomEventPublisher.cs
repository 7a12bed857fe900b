namespace DiceRoller.Rooms;

/// <summary>Sends a room event to every open page of the room, on every app instance.</summary>
public interface IRoomEventPublisher
{
    Task PublishAsync(RoomEvent roomEvent, CancellationToken cancellationToken = default);
}
