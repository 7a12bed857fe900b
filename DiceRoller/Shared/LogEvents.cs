namespace DiceRoller.Shared;

/// <summary>
/// Stable names for the log events operators search and alert on (Serilog writes them as <c>EventId.Name</c>).
/// Properties keep stable names too: <c>RoomCode</c>, <c>RollId</c>, <c>PlayerId</c>, <c>LatencyMs</c>, <c>TraceId</c>.
/// </summary>
public static class LogEvents
{
    public static readonly EventId RollPublished = new(1001, nameof(RollPublished));
}
