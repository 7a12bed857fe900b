-- KEYS: the room's keys (ValkeyKeys.All), then the request's key when the roll has a request id. ARGV: rollJson
-- (without its sequence), sequence (head + 1 as computed), prevHash, hash, historyLimit, now, genesis, rollId (''
-- without a request id), keepForMs, event channel, event message ('' to leave the announcement to the caller), rollId
-- (always), playerId, nonce. Appends only over the expected head, ends the member's open claim of this nonce
-- (claim:{playerId}, see StartRoll) and raises the member's nonce counter to the roll's nonce if it is lower (a lost
-- start write), records the request as done with this roll and announces it on the room's sharded channel (in the
-- room's slot, like every key here), all in the same step. Idempotent by roll id: a roll already in the history (this
-- script sent again after a reconnect, or a retry) is not added again, whatever the head is now; KEYS[10] (roll id ->
-- sequence) says where it is. Returns { 'OK', seq }, { 'STALE', seq, lastHash }, { 'ALREADY', seq, storedJson } or {
-- 'NOT_FOUND' }.
-- Runs after: touch.lua, activity.lua

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
    -- The stored JSON starts with its roll id ({"roll_id":"...", see Roll): read without decoding the whole roll.
    redis.call('HDEL', KEYS[10], string.match(gone, '^{"roll_id":"([^"]*)"'))
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
