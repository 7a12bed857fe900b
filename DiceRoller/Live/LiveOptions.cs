using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Live;

public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>How often an idle stream gets a comment line, so proxies keep it open.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The <c>retry:</c> hint sent to browsers: how soon to reconnect after a drop.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Open streams one player may hold in a room (a few tabs); a newer one ends the oldest, which says why.</summary>
    [Range(1, 1000)]
    public int MaxStreamsPerPlayer { get; set; } = 6;

    /// <summary>Open streams one client address may hold on an app instance; past it a new stream gets 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreamsPerAddress { get; set; } = 100;

    /// <summary>
    /// How long one write to a stream may wait for its reader (a frozen tab, a dead network) before the stream is cut off and
    /// its place freed. A write waits only once the stream's unsent bytes pass Kestrel's response buffer (64 KB), so a stream
    /// holds at most that much and never holds up another stream.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StalledStreamTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The Retry-After sent with a stream refused for its address's cap.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StreamRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
}
