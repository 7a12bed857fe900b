-- ARGV: dmPlayerId, changeJson (with "after_sequence":-1, filled in here), newTtl, now. Returns OK, NOT_FOUND, ALREADY
-- or NO_PLAYER.
-- Runs after: touch.lua

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
