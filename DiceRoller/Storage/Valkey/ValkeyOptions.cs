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

    /// <summary>
    /// Replicas that must hold a roll before it is acknowledged (<c>WAIT n timeout</c> after the append, on the room's
    /// primary). 0 (the default): a roll is acknowledged once its primary has it, and a primary killed within the
    /// asynchronous replication window (typically under a millisecond) can lose the last rolls acknowledged on it.
    /// 1: the replica that a failover promotes has it too, at the cost of one replication round trip per roll.
    /// </summary>
    [Range(0, 5, ErrorMessage = "Valkey:RollReplicaAcks must be between 0 and 5.")]
    public int RollReplicaAcks { get; set; }

    /// <summary>How long a roll waits for <see cref="RollReplicaAcks"/> (past it the roll stands, acknowledged, and a warning is logged).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10", ErrorMessage = "Valkey:RollReplicaTimeout must be between 1 ms and 10 seconds.")]
    public TimeSpan RollReplicaTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often each room subscription is checked against the slot's current primary. After a failover the promoted
    /// replica serves the room's channel; a subscription still pointing at the dead primary is moved there and the
    /// room's pages resync from history.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Valkey:SubscriptionCheckInterval must be between 100 ms and 1 minute.")]
    public TimeSpan SubscriptionCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an app instance keeps a room's read for the roll post (<see cref="ValkeyRecentRooms"/>): a roll then makes two
    /// round trips to Valkey instead of three. Safe at any value: the roll's start script checks membership, the secret, the
    /// DM (hidden rolls) and the room itself atomically, and a refusal reads the room again; the room's events (join, kick,
    /// hand-off, close...) drop the kept read on every instance that follows the room. 0 turns it off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Valkey:RecentRoomTtl must be between 0 and 5 minutes.")]
    public TimeSpan RecentRoomTtl { get; set; } = TimeSpan.FromSeconds(10);
}
