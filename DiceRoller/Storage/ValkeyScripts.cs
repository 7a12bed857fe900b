namespace DiceRoller.Storage;

/// <summary>
/// Lua scripts run atomically by Valkey. KEYS are always the room's keys
/// (meta, players, rolls, names: see <see cref="ValkeyKeys"/>); each write refreshes every key's TTL.
/// </summary>
internal static class ValkeyScripts
{
    private const string Touch = """
        local function touch(ttl)
          for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
        end
        """;

    /// ARGV: ttl, code, mode, creator, dm ('' if none), now, playerId, playerJson, nameKey
    public const string Create = Touch + """

        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'code', ARGV[2], 'mode', ARGV[3], 'creator', ARGV[4], 'dm', ARGV[5],
          'dc', '', 'created_at', ARGV[6], 'last_activity', ARGV[6], 'ttl', ARGV[1], 'seq', 0)
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
        redis.call('HSET', KEYS[2], ARGV[7], ARGV[8])
        redis.call('HSET', KEYS[4], ARGV[9], ARGV[7])
        touch(tonumber(ARGV[1]))
        return 1
        """;

    /// ARGV: maxPlayers, playerId, playerJson, nameKey, now. Returns OK, NOT_FOUND, FULL or NAME_TAKEN.
    public const string Join = Touch + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return 'NOT_FOUND' end
        if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[1]) then return 'FULL' end
        if redis.call('HEXISTS', KEYS[4], ARGV[4]) == 1 then return 'NAME_TAKEN' end
        redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
        redis.call('HSET', KEYS[4], ARGV[4], ARGV[2])
        redis.call('HSET', KEYS[1], 'last_activity', ARGV[5])
        touch(tonumber(redis.call('HGET', KEYS[1], 'ttl')))
        return 'OK'
        """;

    /// ARGV: rollJson (without its sequence: the score carries it), historyLimit, now. Returns the new sequence, or -1.
    public const string AppendRoll = Touch + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
        redis.call('ZADD', KEYS[3], seq, ARGV[1])
        local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[2])
        if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1) end
        redis.call('HSET', KEYS[1], 'last_activity', ARGV[3])
        touch(tonumber(redis.call('HGET', KEYS[1], 'ttl')))
        return seq
        """;
}
