-- ARGV: member (playerId|streamId), playerId, now. Returns 1 when the player still has another open page. When the
-- room's last open page goes, the room's clock starts: every key lives the room's TTL from now.
-- Runs after: touch.lua

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
