namespace DiceRoller.Rooms;

/// <summary>Fixed-window counters shared by all app instances (the in-process one serves the embedded default).</summary>
public interface IRateLimiter
{
    /// <summary>Counts one attempt against <paramref name="key"/>; when over <paramref name="limit"/> in the window, says how long until it opens.</summary>
    Task<RateDecision> TryAcquireAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>How many attempts <paramref name="key"/> counted in its current window (0 when none), without counting one.</summary>
    Task<long> CountAsync(string key, CancellationToken cancellationToken = default);
}

public readonly record struct RateDecision(bool Allowed, TimeSpan RetryAfter);

/// <summary>What <see cref="IRoomCapacity.TryCreateAsync"/> did.</summary>
public enum CreateOutcome
{
    Created,
    /// <summary>The code is live already: try another.</summary>
    CodeTaken,
    /// <summary>The server holds its maximum of rooms: nothing was created.</summary>
    Full,
}

/// <summary>A creation's outcome; when <see cref="CreateOutcome.Full"/>, about how long until a place may free up.</summary>
public readonly record struct CreateResult(CreateOutcome Outcome, TimeSpan RetryAfter = default);

/// <summary>
/// How many rooms are live, counted on every app instance alike: expired and deleted rooms stop counting. Creation goes
/// through here so that the count and the rooms cannot drift apart.
/// </summary>
public interface IRoomCapacity
{
    /// <summary>Creates the room (as <see cref="IRoomStore.TryCreateAsync"/>) only while fewer than <paramref name="maxRooms"/> rooms are live.</summary>
    Task<CreateResult> TryCreateAsync(Room room, Player creator, int maxRooms, CancellationToken cancellationToken = default);

    /// <summary>
    /// Null while fewer than <paramref name="maxRooms"/> rooms are live; else about how long until a place may free up. A
    /// look before the work of creating (which checks again, atomically).
    /// </summary>
    Task<TimeSpan?> FullAsync(int maxRooms, CancellationToken cancellationToken = default);
}

/// <summary>Keys that may be used once within their lifetime (a solved proof-of-work), shared by all app instances.</summary>
public interface IOneTimeKeys
{
    /// <summary>True the first time <paramref name="key"/> is used within <paramref name="lifetime"/>, false on every repeat.</summary>
    Task<bool> TryUseAsync(string key, TimeSpan lifetime, CancellationToken cancellationToken = default);
}
