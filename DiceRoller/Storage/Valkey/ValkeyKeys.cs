using StackExchange.Redis;

namespace DiceRoller.Storage;

/// <summary>
/// Every key of a room starts with <c>room:{CODE}</c>. The braces are a hash tag, so all of a room's keys
/// live in one slot and the multi-key scripts stay valid on a clustered Valkey.
/// </summary>
public static class ValkeyKeys
{
    public static string Prefix(string code) => $"room:{{{code}}}";

    public static RedisKey Meta(string code) => Prefix(code);

    public static RedisKey Players(string code) => Prefix(code) + ":players";

    public static RedisKey Rolls(string code) => Prefix(code) + ":rolls";

    public static RedisKey Names(string code) => Prefix(code) + ":names";

    public static RedisKey Modes(string code) => Prefix(code) + ":modes";

    public static RedisKey Kicked(string code) => Prefix(code) + ":kicked";

    public static RedisKey Presence(string code) => Prefix(code) + ":presence";

    /// <summary>Waiting and answered knocks: knock id -> knock JSON.</summary>
    public static RedisKey Knocks(string code) => Prefix(code) + ":knocks";

    /// <summary>When a player was last kicked from each address: address hash -> unix ms.</summary>
    public static RedisKey KickedAddresses(string code) => Prefix(code) + ":kicked_addresses";

    /// <summary>The sequence each roll in the history was appended at: roll id -> sequence (so an append sent twice adds it once).</summary>
    public static RedisKey RollIds(string code) => Prefix(code) + ":roll_ids";

    /// <summary>The room's initiative encounter: a hash of <c>json</c> (the encounter, absent when none runs) and <c>v</c> (its version).</summary>
    public static RedisKey Initiative(string code) => Prefix(code) + ":initiative";

    /// <summary>Each member's saved rolls: player id -> JSON array in the order saved (see save_roll.lua).</summary>
    public static RedisKey SavedRolls(string code) => Prefix(code) + ":saved";

    /// <summary>
    /// Every key of the room, in the order the scripts expect them (KEYS[1..7]; later keys only get their TTL refreshed, but
    /// for <see cref="RollIds"/>, KEYS[10], which the append script reads, and <see cref="SavedRolls"/>, KEYS[11], which
    /// the saved-roll scripts, leave and create use).
    /// </summary>
    public static RedisKey[] All(string code) =>
        [Meta(code), Players(code), Rolls(code), Names(code), Modes(code), Kicked(code), Presence(code), Knocks(code), KickedAddresses(code), RollIds(code),
            SavedRolls(code), Initiative(code)];

    /// <summary>
    /// The keys of the door scripts (kick, knock, admit, lock): knocks and kicked addresses first, then <see cref="All"/>, so
    /// their positions do not depend on keys appended to <see cref="All"/> later (all of them get their TTL refreshed).
    /// </summary>
    public static RedisKey[] Door(string code) => [Knocks(code), KickedAddresses(code), .. All(code)];

    /// <summary>One roll request id of one player (<c>playerId:requestId</c>), kept a few minutes: "pending|claimedAt" or "done|rollId".</summary>
    public static RedisKey RollRequest(string code, string requestKey) => Prefix(code) + ":request:" + requestKey;

    /// <summary>
    /// A rate-limit counter. A room's limits (<c>roll:CODE:PLAYER</c>) live under the room's hash tag
    /// (<c>room:{CODE}:rate:roll:PLAYER</c>), in the room's slot, so a roll touches only its room's shard; the global
    /// per-address limits (<c>create:ADDRESS</c>, <c>join:ADDRESS</c>) stay at <c>rate:KEY</c>, spread over the shards.
    /// </summary>
    public static RedisKey RateLimit(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (RoomOfRateLimit(key) is not { } code)
        {
            return "rate:" + key;
        }

        var parts = key.Split(':');
        return Prefix(code) + ":rate:" + parts[0] + ":" + parts[2];
    }

    /// <summary>The room a limiter key belongs to (<c>roll:CODE:PLAYER</c>), or null for a global limit.</summary>
    public static string? RoomOfRateLimit(string key) =>
        key is not null && key.StartsWith("roll:", StringComparison.Ordinal) && key.Split(':') is [_, var code, _] && code.Length > 0 ? code : null;

    public static RedisKey OneTime(string key) => "once:" + key;

    /// <summary>
    /// The live rooms, for the server's room capacity: a sorted set of codes scored by the earliest time each room may
    /// expire (Unix ms). One key for all rooms (outside any room's slot): only the capacity reads and writes it.
    /// </summary>
    public static RedisKey LiveRooms => "rooms:live";

    /// <summary>The room's sharded pub/sub channel (SPUBLISH/SSUBSCRIBE), in the slot of the room's keys.</summary>
    public static RedisChannel Events(string code) => RedisChannel.Sharded(EventsName(code));

    /// <summary>The name of <see cref="Events"/> (a script that publishes takes it as an argument).</summary>
    public static string EventsName(string code) => Prefix(code) + ":events";

    /// <summary>A room event as it travels on <see cref="Events"/>: the same message whether the publisher or a script sends it.</summary>
    public static string EventMessage(Rooms.RoomEvent roomEvent) => Rooms.RoomJson.Serialize(roomEvent);
}
