namespace DiceRoller.Storage;

/// <summary>
/// Lua scripts run atomically by Valkey. KEYS are always the room's keys
/// (meta, players, rolls, names, modes, kicked, presence: see <see cref="ValkeyKeys.All"/>); each write
/// refreshes every key's TTL.
/// </summary>
internal static class ValkeyScripts
{
    private const string Touch = """
        local function touch(ttl)
          for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ttl) end
        end
        """;

    /// <summary>A second player joined: the room leaves its lonely TTL (field ttl) for full_ttl, for good.</summary>
    private const string Befriend = """

        local function befriend(meta)
          local full = redis.call('HGET', meta, 'full_ttl')
          if full then
            redis.call('HSET', meta, 'ttl', full)
            redis.call('HDEL', meta, 'full_ttl')
          end
        end
        """;

    /// ARGV: ttl, code, mode, creator, dm ('' if none), now, playerId, playerJson, nameKey, seed (hex), commitment,
    /// full ttl ('' unless ttl is the lonely TTL of a room nobody else joined yet)
    public const string Create = Touch + """

        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'code', ARGV[2], 'mode', ARGV[3], 'creator', ARGV[4], 'dm', ARGV[5],
          'dc', '', 'created_at', ARGV[6], 'last_activity', ARGV[6], 'ttl', ARGV[1], 'seq', 0, 'seed', ARGV[10], 'commitment', ARGV[11])
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[10])
        redis.call('HSET', KEYS[2], ARGV[7], ARGV[8])
        redis.call('HSET', KEYS[4], ARGV[9], ARGV[7])
        if ARGV[12] and ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'full_ttl', ARGV[12]) end
        touch(tonumber(ARGV[1]))
        return 1
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

    private const string Activity = """

        local function activity(now)
          redis.call('HSET', KEYS[1], 'last_activity', now)
          touch(tonumber(redis.call('HGET', KEYS[1], 'ttl')))
        end
        """;

    /// ARGV: sequence, currentJson, updatedJson, now. Returns 1 when replaced, 0 when the roll is not as expected.
    public const string ReplaceRoll = Touch + Activity + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local found = redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[1], ARGV[1])
        if #found ~= 1 or found[1] ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[3], ARGV[2])
        redis.call('ZADD', KEYS[3], ARGV[1], ARGV[3])
        activity(ARGV[4])
        return 1
        """;

    /// ARGV: dc ('' to clear), now. Returns 1, or 0 when the room is gone.
    public const string SetDc = Touch + Activity + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'dc', ARGV[1])
        activity(ARGV[2])
        return 1
        """;

    /// ARGV: dmPlayerId, changeJson (with "after_sequence":-1, filled in here), newTtl, now.
    /// Returns OK, NOT_FOUND, ALREADY or NO_PLAYER.
    public const string Promote = Touch + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return 'NOT_FOUND' end
        if redis.call('HGET', KEYS[1], 'mode') == 'dm-led' then return 'ALREADY' end
        if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 'NO_PLAYER' end
        local seq = redis.call('HGET', KEYS[1], 'seq')
        local change = string.gsub(ARGV[2], '"after_sequence":%-1', '"after_sequence":' .. seq, 1)
        redis.call('RPUSH', KEYS[5], change)
        -- A room nobody else joined yet keeps its lonely TTL; the DM-led TTL waits for a second player.
        if redis.call('HEXISTS', KEYS[1], 'full_ttl') == 1 then
          local ttl = math.min(tonumber(redis.call('HGET', KEYS[1], 'ttl')), tonumber(ARGV[3]))
          redis.call('HSET', KEYS[1], 'mode', 'dm-led', 'dm', ARGV[1], 'ttl', ttl, 'full_ttl', ARGV[3], 'last_activity', ARGV[4])
          touch(ttl)
          return 'OK'
        end
        redis.call('HSET', KEYS[1], 'mode', 'dm-led', 'dm', ARGV[1], 'ttl', ARGV[3], 'last_activity', ARGV[4])
        touch(tonumber(ARGV[3]))
        return 'OK'
        """;

    /// ARGV: member (playerId|streamId), expiresAt (ms), now (ms). An open page holds the room: every key lives at
    /// least the room's TTL past the page's presence, so pages of a crashed instance let go after their presence ends.
    public const string SetPresence = """

        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('ZADD', KEYS[7], ARGV[2], ARGV[1])
        local hold = tonumber(ARGV[2]) - tonumber(ARGV[3]) + 1000 * tonumber(redis.call('HGET', KEYS[1], 'ttl'))
        for i = 1, #KEYS do
          local left = redis.call('PTTL', KEYS[i])
          if left == -1 or (left >= 0 and left < hold) then redis.call('PEXPIRE', KEYS[i], hold) end
        end
        return 1
        """;

    /// ARGV: member (playerId|streamId), playerId, now. Returns 1 when the player still has another open page.
    /// When the room's last open page goes, the room's clock starts: every key lives the room's TTL from now.
    public const string RemovePresence = Touch + """

        redis.call('ZREM', KEYS[7], ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', ARGV[3])
        if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('ZCARD', KEYS[7]) == 0 then
          touch(tonumber(redis.call('HGET', KEYS[1], 'ttl')))
        end
        local prefix = ARGV[2] .. '|'
        for _, member in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do
          if string.sub(member, 1, #prefix) == prefix then return 1 end
        end
        return 0
        """;

    /// <summary>One attempt against a fixed-window counter: returns the count in the window and the ms until it ends.</summary>
    private const string CountAttempt = """

        local function count_attempt(key, windowMs)
          local count = redis.call('INCR', key)
          if count == 1 then redis.call('PEXPIRE', key, windowMs) end
          local ttl = redis.call('PTTL', key)
          if ttl < 0 then redis.call('PEXPIRE', key, windowMs); ttl = tonumber(windowMs) end
          return count, ttl
        end
        """;

    /// KEYS[1]: the counter. ARGV: window (ms). Returns { count, ms until the window ends }.
    public const string RateLimit = CountAttempt + """

        local count, ttl = count_attempt(KEYS[1], ARGV[1])
        return { count, ttl }
        """;

    /// KEYS: the room's meta hash, its players hash, the player's roll-rate counter, and the request's key (absent without a
    /// request id). ARGV: playerId, now, abandonAfterMs, keepForMs, rollLimit, rollWindow (ms), fallbackClientSeed, keepFallback
    /// ('1' or '0'), candidateSeed (stored hex), candidateCommitment, genesis, hidden ('1' or '0'), hidden secrets per commitment.
    /// A hidden roll under a rules-2 commitment (one with a '.') takes the next hidden-roll secret index (field hidden_next, reset
    /// on rotation); when all are taken it answers { 'HIDDEN_USED_UP' } before claiming or counting anything.
    /// Claims the request id, counts the roll against the limit and takes the member's next nonce (nonce:{playerId}, from 1), in
    /// that order; an id that rolled or is rolling counts nothing, a refused roll claims and takes nothing.
    /// With a request id the claim is also kept as the member's open claim (field claim:{playerId} =
    /// 'requestKey|claimedAt|nonce|hiddenIndex|commitment|serverClientSeed', claimedAt 0 once released) until its roll is appended:
    /// the member's next claim takes its nonce, hidden index (same commitment, hidden again) and server-picked client seed again
    /// when it is this very request (taken over), released, or abandoned (claimed abandonAfterMs ago), so no nonce is skipped.
    /// Returns { 'OK', nonce, clientSeed, seed, commitment, seq, lastHash, clientSeedCommitment ('' when none or the fallback),
    /// hiddenIndex (-1 when none), serverClientSeed }, { 'DONE', rollId }, { 'IN_FLIGHT' }, { 'HIDDEN_USED_UP' },
    /// { 'RATE_LIMITED', ms until the window ends } or { 'NOT_FOUND' }.
    public const string StartRoll = CountAttempt + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
        local request = KEYS[4]
        if request then
          local current = redis.call('GET', request)
          if current then
            local state, value = string.match(current, '^(%a+)|(.*)$')
            if state == 'done' then return { 'DONE', value } end
            if tonumber(ARGV[2]) - tonumber(value) < tonumber(ARGV[3]) then return { 'IN_FLIGHT' } end
          end
        end
        local current = redis.call('HGET', KEYS[1], 'commitment') or ''
        if current == '' then current = ARGV[10] end
        local secrets = ARGV[12] == '1' and string.find(current, '.', 1, true) ~= nil
        local claimField = 'claim:' .. ARGV[1]
        local kept = nil
        local open = request and redis.call('HGET', KEYS[1], claimField)
        if open then
          local key, at, n, h, c, fallback = string.match(open, '^(.-)|(%d+)|(%d+)|(%-?%d+)|(.-)|(.*)$')
          if key and (key == request or at == '0' or tonumber(ARGV[2]) - tonumber(at) >= tonumber(ARGV[3])) then
            kept = { nonce = tonumber(n), hidden = tonumber(h), commitment = c, fallback = fallback }
          end
        end
        local keptHidden = kept and secrets and kept.hidden >= 0 and kept.commitment == current
        if secrets and not keptHidden and tonumber(redis.call('HGET', KEYS[1], 'hidden_next') or '0') >= tonumber(ARGV[13]) then
          return { 'HIDDEN_USED_UP' }
        end
        local count, ttl = count_attempt(KEYS[3], ARGV[6])
        if count > tonumber(ARGV[5]) then return { 'RATE_LIMITED', ttl } end
        if request then redis.call('SET', request, 'pending|' .. ARGV[2], 'PX', ARGV[4]) end
        local seed = redis.call('HGET', KEYS[1], 'seed')
        if not seed or seed == '' then
          seed = ARGV[9]
          redis.call('HSET', KEYS[1], 'seed', seed, 'commitment', ARGV[10])
        end
        local nonce, hiddenIndex, fallback = 0, -1, ARGV[7]
        if kept then nonce, fallback = kept.nonce, kept.fallback else nonce = redis.call('HINCRBY', KEYS[1], 'nonce:' .. ARGV[1], 1) end
        if keptHidden then hiddenIndex = kept.hidden
        elseif secrets then hiddenIndex = redis.call('HINCRBY', KEYS[1], 'hidden_next', 1) - 1 end
        if request then
          redis.call('HSET', KEYS[1], claimField, table.concat({ request, ARGV[2], nonce, hiddenIndex, current, fallback }, '|'))
        end
        local clientSeed = redis.call('HGET', KEYS[1], 'client_seed:' .. ARGV[1])
        local clientSeedAt = redis.call('HGET', KEYS[1], 'client_seed_at:' .. ARGV[1]) or ''
        if not clientSeed then
          clientSeedAt = ''
          clientSeed = fallback
          if ARGV[8] == '1' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
            redis.call('HSET', KEYS[1], 'client_seed:' .. ARGV[1], clientSeed)
          end
        end
        local last = redis.call('HGET', KEYS[1], 'last_hash') or ARGV[11]
        return { 'OK', nonce, clientSeed, seed, redis.call('HGET', KEYS[1], 'commitment'), redis.call('HGET', KEYS[1], 'seq'), last, clientSeedAt,
          hiddenIndex, fallback }
        """;

    /// KEYS: the request's key, the room's meta hash. ARGV: playerId. Forgets a claim that made no roll (never a completed one)
    /// and marks it released in the member's open claim (claimedAt 0), so the member's next claim takes its nonce again.
    public const string ReleaseRollRequest = """

        local current = redis.call('GET', KEYS[1])
        if current and string.sub(current, 1, 5) == 'done|' then return 1 end
        if current then redis.call('DEL', KEYS[1]) end
        local open = redis.call('HGET', KEYS[2], 'claim:' .. ARGV[1])
        if open then
          local key, rest = string.match(open, '^(.-)|%d+|(.*)$')
          if key == KEYS[1] then redis.call('HSET', KEYS[2], 'claim:' .. ARGV[1], key .. '|0|' .. rest) end
        end
        return 1
        """;

    /// ARGV: playerId, nameKey, now. Returns { 'OK', heir ('' unless the creator left) }, { 'CLOSED' } when the last
    /// member left (the room is deleted), { 'DM' } when the DM must hand over first, { 'NO_PLAYER' } or { 'NOT_FOUND' }.
    public const string Leave = Touch + Activity + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
        if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return { 'NO_PLAYER' } end
        if redis.call('HLEN', KEYS[2]) == 1 then
          redis.call('DEL', unpack(KEYS))
          return { 'CLOSED' }
        end
        local mode = redis.call('HGET', KEYS[1], 'mode')
        local dm = redis.call('HGET', KEYS[1], 'dm')
        if mode == 'dm-led' and dm == ARGV[1] then return { 'DM' } end
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[4], ARGV[2])
        redis.call('HDEL', KEYS[1], 'continue:' .. ARGV[1])
        local prefix = ARGV[1] .. '|'
        for _, member in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do
          if string.sub(member, 1, #prefix) == prefix then redis.call('ZREM', KEYS[7], member) end
        end
        local heir = ''
        if redis.call('HGET', KEYS[1], 'creator') == ARGV[1] then
          if mode == 'dm-led' and dm and dm ~= '' then
            heir = dm
          else
            local first = nil
            for _, json in ipairs(redis.call('HVALS', KEYS[2])) do
              local player = cjson.decode(json)
              if first == nil or player.joined_at < first.joined_at then first = player end
            end
            heir = first.player_id
          end
          redis.call('HSET', KEYS[1], 'creator', heir)
        end
        activity(ARGV[3])
        return { 'OK', heir }
        """;

    /// ARGV: fromPlayerId, toPlayerId, changeJson (with "after_sequence":-1, filled in here), now.
    /// Returns OK, NOT_FOUND, NOT_DM (not DM-led, or the sender is no longer its DM) or NO_PLAYER.
    public const string HandOverDm = Touch + Activity + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return 'NOT_FOUND' end
        if redis.call('HGET', KEYS[1], 'mode') ~= 'dm-led' or redis.call('HGET', KEYS[1], 'dm') ~= ARGV[1] then return 'NOT_DM' end
        if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then return 'NO_PLAYER' end
        local seq = redis.call('HGET', KEYS[1], 'seq')
        local change = string.gsub(ARGV[3], '"after_sequence":%-1', '"after_sequence":' .. seq, 1)
        redis.call('RPUSH', KEYS[5], change)
        redis.call('HSET', KEYS[1], 'dm', ARGV[2])
        activity(ARGV[4])
        return 'OK'
        """;

    /// ARGV: playerId, seal, replace ('1' or '0'). Seals live in the meta hash as continue:{playerId}.
    /// Returns 1 when stored, 0 when the player is not a member or (without replace) already has one.
    public const string SetContinueSeal = """

        if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
        local field = 'continue:' .. ARGV[1]
        if ARGV[3] == '0' and redis.call('HEXISTS', KEYS[1], field) == 1 then return 0 end
        redis.call('HSET', KEYS[1], field, ARGV[2])
        return 1
        """;
    /// <summary>The door scripts' keys (<see cref="ValkeyKeys.Door"/>) by name, and their activity refresh.</summary>
    private const string Door = Touch + Befriend + """

        local KNOCKS, KICKED_ADDRESSES, META, PLAYERS, NAMES, KICKED, PRESENCE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6], KEYS[8], KEYS[9]
        local function door_activity(now)
          redis.call('HSET', META, 'last_activity', now)
          touch(tonumber(redis.call('HGET', META, 'ttl')))
        end
        local function barred(playerId, deviceKey)
          return redis.call('SISMEMBER', KICKED, playerId) == 1 or (deviceKey ~= '' and redis.call('SISMEMBER', KICKED, deviceKey) == 1)
        end
        """;

    /// ARGV: playerId, nameKey, deviceKey ('' if none), addressHash ('' if none), now.
    /// Returns 1 when the player was removed and their id, device and address barred, 0 when not in the room.
    public const string Kick = Door + """

        if redis.call('HEXISTS', PLAYERS, ARGV[1]) == 0 then return 0 end
        redis.call('HDEL', PLAYERS, ARGV[1])
        redis.call('HDEL', NAMES, ARGV[2])
        redis.call('SADD', KICKED, ARGV[1])
        if ARGV[3] ~= '' then redis.call('SADD', KICKED, ARGV[3]) end
        redis.call('HDEL', META, 'continue:' .. ARGV[1])
        if ARGV[4] ~= '' then redis.call('HSET', KICKED_ADDRESSES, ARGV[4], ARGV[5]) end
        local prefix = ARGV[1] .. '|'
        for _, member in ipairs(redis.call('ZRANGE', PRESENCE, 0, -1)) do
          if string.sub(member, 1, #prefix) == prefix then redis.call('ZREM', PRESENCE, member) end
        end
        door_activity(ARGV[5])
        return 1
        """;

    /// ARGV: now. Forgets the kicked players' addresses (their ids and devices stay in KICKED). Returns 0 when the room is gone.
    public const string ForgetKickedAddresses = Door + """

        if redis.call('EXISTS', META) == 0 then return 0 end
        redis.call('DEL', KICKED_ADDRESSES)
        door_activity(ARGV[1])
        return 1
        """;

    /// ARGV: maxPlayers, playerId, playerJson, nameKey, now, deviceKey, addressHash, kickedSince, knockId, knockJson.
    /// Returns OK, KNOCK, NOT_FOUND, KICKED, FULL or NAME_TAKEN.
    public const string JoinOrKnock = Door + """

        if redis.call('EXISTS', META) == 0 then return 'NOT_FOUND' end
        if barred(ARGV[2], ARGV[6]) then return 'KICKED' end
        if redis.call('HLEN', PLAYERS) >= tonumber(ARGV[1]) then return 'FULL' end
        if redis.call('HEXISTS', NAMES, ARGV[4]) == 1 then return 'NAME_TAKEN' end
        local kickedAt = ARGV[7] ~= '' and redis.call('HGET', KICKED_ADDRESSES, ARGV[7])
        if redis.call('HGET', META, 'locked') == '1' or (kickedAt and tonumber(kickedAt) >= tonumber(ARGV[8])) then
          redis.call('HSET', KNOCKS, ARGV[9], ARGV[10])
          door_activity(ARGV[5])
          return 'KNOCK'
        end
        redis.call('HSET', PLAYERS, ARGV[2], ARGV[3])
        redis.call('HSET', NAMES, ARGV[4], ARGV[2])
        befriend(META)
        door_activity(ARGV[5])
        return 'OK'
        """;

    /// ARGV: knockId, currentJson, answeredJson, admit ('1' or '0'), maxPlayers, playerId, playerJson, nameKey, deviceKey, now.
    /// Returns ADMITTED, REFUSED, CHANGED (not as read: answered meanwhile), NOT_FOUND, KICKED, FULL or NAME_TAKEN.
    public const string ResolveKnock = Door + """

        if redis.call('EXISTS', META) == 0 then return 'NOT_FOUND' end
        if redis.call('HGET', KNOCKS, ARGV[1]) ~= ARGV[2] then return 'CHANGED' end
        if ARGV[4] == '0' then
          redis.call('HSET', KNOCKS, ARGV[1], ARGV[3])
          return 'REFUSED'
        end
        if barred(ARGV[6], ARGV[9]) then return 'KICKED' end
        if redis.call('HLEN', PLAYERS) >= tonumber(ARGV[5]) then return 'FULL' end
        if redis.call('HEXISTS', NAMES, ARGV[8]) == 1 then return 'NAME_TAKEN' end
        redis.call('HSET', PLAYERS, ARGV[6], ARGV[7])
        redis.call('HSET', NAMES, ARGV[8], ARGV[6])
        redis.call('HSET', KNOCKS, ARGV[1], ARGV[3])
        befriend(META)
        door_activity(ARGV[10])
        return 'ADMITTED'
        """;

    /// ARGV: locked ('1' or '0'), now. Returns 1, or 0 when the room is gone.
    public const string SetLocked = Door + """

        if redis.call('EXISTS', META) == 0 then return 0 end
        redis.call('HSET', META, 'locked', ARGV[1])
        door_activity(ARGV[2])
        return 1
        """;

    /// KEYS[1]: the live rooms (code -> the earliest time it may expire, ms). ARGV: code, its earliest expiry, maxRooms.
    /// Takes a place for the code: { 'OK' }, { 'TAKEN' } when the code is live, { 'FULL', earliest expiry of any room }.
    public const string ReserveRoom = """

        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return { 'TAKEN' } end
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
          local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return { 'FULL', first[2] }
        end
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        return { 'OK' }
        """;

    /// KEYS[1]: the key. ARGV: lifetime (ms). Returns 1 the first time, 0 while the key lives.
    public const string UseOnce = """

        if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
        return 0
        """;

    /// ARGV: seed (hex), commitment, now. The room's seed lives in its meta hash (fields seed, commitment).
    /// Returns { oldSeed, oldCommitment } ('' when it had none), or { } when the room is gone.
    public const string RotateSeed = Touch + Activity + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
        local old = redis.call('HGET', KEYS[1], 'seed') or ''
        local oldCommitment = redis.call('HGET', KEYS[1], 'commitment') or ''
        redis.call('HSET', KEYS[1], 'seed', ARGV[1], 'commitment', ARGV[2])
        redis.call('HDEL', KEYS[1], 'hidden_next')
        activity(ARGV[3])
        return { old, oldCommitment }
        """;

    /// ARGV: playerId, clientSeed, now. Client seeds live in the meta hash as client_seed:{playerId}, beside the commitment current
    /// when each was set (client_seed_at:{playerId}). Returns 1, or 0 for a non-member.
    public const string SetClientSeed = Touch + Activity + """

        if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'client_seed:' .. ARGV[1], ARGV[2], 'client_seed_at:' .. ARGV[1], redis.call('HGET', KEYS[1], 'commitment') or '')
        activity(ARGV[3])
        return 1
        """;

    /// KEYS: the room's keys (<see cref="ValkeyKeys.All"/>), then the request's key when the roll has a request id.
    /// ARGV: rollJson (without its sequence), sequence (head + 1 as computed), prevHash, hash, historyLimit, now, genesis,
    /// rollId ('' without a request id), keepForMs, event channel, event message ('' to leave the announcement to the caller),
    /// rollId (always), playerId, nonce.
    /// Appends only over the expected head, ends the member's open claim of this nonce (claim:{playerId}, see StartRoll) and
    /// raises the member's nonce counter to the roll's nonce if it is lower (a lost start write), records the request as done with this roll and announces it on the room's
    /// sharded channel (in the room's slot, like every key here), all in the same step. Idempotent by roll id: a roll already
    /// in the history (this script sent again after a reconnect, or a retry) is not added again, whatever the head is now;
    /// KEYS[10] (roll id -> sequence) says where it is.
    /// Returns { 'OK', seq }, { 'STALE', seq, lastHash }, { 'ALREADY', seq, storedJson } or { 'NOT_FOUND' }.
    public const string AppendChainedRoll = Touch + Activity + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
        local appended = redis.call('HGET', KEYS[10], ARGV[12])
        if appended then
          local stored = redis.call('ZRANGEBYSCORE', KEYS[3], appended, appended)
          return { 'ALREADY', tonumber(appended), stored[1] or '' }
        end
        local seq = tonumber(redis.call('HGET', KEYS[1], 'seq'))
        local last = redis.call('HGET', KEYS[1], 'last_hash') or ARGV[7]
        if seq + 1 ~= tonumber(ARGV[2]) or last ~= ARGV[3] then return { 'STALE', seq, last } end
        redis.call('HSET', KEYS[1], 'seq', seq + 1, 'last_hash', ARGV[4])
        redis.call('ZADD', KEYS[3], seq + 1, ARGV[1])
        redis.call('HSET', KEYS[10], ARGV[12], seq + 1)
        local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[5])
        if excess > 0 then
          for _, gone in ipairs(redis.call('ZRANGE', KEYS[3], 0, excess - 1)) do
            redis.call('HDEL', KEYS[10], cjson.decode(gone)['roll_id'])
          end
          redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1)
        end
        local open = redis.call('HGET', KEYS[1], 'claim:' .. ARGV[13])
        if open and string.match(open, '^.-|%d+|(%d+)|') == ARGV[14] then redis.call('HDEL', KEYS[1], 'claim:' .. ARGV[13]) end
        -- A failover that lost the start's write but not this roll: the counter never hands this nonce out again.
        if tonumber(redis.call('HGET', KEYS[1], 'nonce:' .. ARGV[13]) or '0') < tonumber(ARGV[14]) then
          redis.call('HSET', KEYS[1], 'nonce:' .. ARGV[13], ARGV[14])
        end
        activity(ARGV[6])
        -- After activity(), whose touch gave every key the room's TTL: the request id keeps its own time.
        if ARGV[8] ~= '' then redis.call('SET', KEYS[#KEYS], 'done|' .. ARGV[8], 'PX', ARGV[9]) end
        if ARGV[11] ~= '' then redis.call('SPUBLISH', ARGV[10], ARGV[11]) end
        return { 'OK', seq + 1 }
        """;
}
