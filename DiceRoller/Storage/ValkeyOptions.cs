using System.ComponentModel.DataAnnotations;

namespace DiceRoller.Storage;

/// <summary>How the app uses Valkey beyond the connection string (<c>ConnectionStrings:Valkey</c>; a cluster is detected).</summary>
public sealed class ValkeyOptions
{
    public const string Section = "Valkey";

    /// <summary>
    /// How long a global per-address limit (room creation, joins) may wait for its counter's shard. Past it, or when the
    /// shard is down, the request is let through (and counted in <c>diceroller_rate_limit_unavailable_total</c>): a dead
    /// shard must not stall joins to rooms that live on the other shards. A room's own limits (rolls) are never let
    /// through this way: they live on the room's shard, which the request needs anyway.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30", ErrorMessage = "Valkey:GlobalLimitTimeout must be between 10 ms and 30 seconds.")]
    public TimeSpan GlobalLimitTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
}
