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

    /// <summary>Every key of the room, in the order the scripts expect them (KEYS[1..7]; later keys only get their TTL refreshed).</summary>
    public static RedisKey[] All(string code) =>
        [Meta(code), Players(code), Rolls(code), Names(code), Modes(code), Kicked(code), Presence(code), Knocks(code), KickedAddresses(code)];

    /// <summary>
    /// The keys of the door scripts (kick, knock, admit, lock): knocks and kicked addresses first, then <see cref="All"/>, so
    /// their positions do not depend on keys appended to <see cref="All"/> later (all of them get their TTL refreshed).
    /// </summary>
    public static RedisKey[] Door(string code) => [Knocks(code), KickedAddresses(code), .. All(code)];

    /// <summary>One roll request id of one player (<c>playerId:requestId</c>), kept a few minutes: "pending|claimedAt" or "done|rollId".</summary>
    public static RedisKey RollRequest(string code, string requestKey) => Prefix(code) + ":request:" + requestKey;

    public static RedisKey RateLimit(string key) => "rate:" + key;

    public static RedisKey OneTime(string key) => "once:" + key;

    public static RedisChannel Events(string code) => RedisChannel.Literal(Prefix(code) + ":events");

    public static readonly RedisChannel AllEvents = RedisChannel.Pattern("room:{*}:events");
}
