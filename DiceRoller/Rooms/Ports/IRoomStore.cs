namespace DiceRoller.Rooms;

/// <summary>
/// Where rooms live, all of it: Valkey in production, an in-process store by default. Each feature asks for the role it
/// needs (<see cref="IRooms"/>, <see cref="IRoomDoor"/>, <see cref="IRollLog"/>, <see cref="IRoomSeeds"/>, <see cref="ISavedRolls"/>); one store plays
/// them all, since a room's state and its rolls change together in one atomic step. Every write refreshes the room's
/// time-to-live. Implementations must be safe under concurrent callers on several app instances.
/// </summary>
public interface IRoomStore : IRooms, IRoomDoor, IRollLog, IRoomSeeds, ISavedRolls;
