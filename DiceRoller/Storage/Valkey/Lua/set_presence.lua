-- ARGV: member (playerId|streamId), expiresAt (ms), now (ms). An open page holds the room: every key lives at least
-- the room's TTL past the page's presence, so pages of a crashed instance let go after their presence ends.

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[7], ARGV[2], ARGV[1])
local hold = tonumber(ARGV[2]) - tonumber(ARGV[3]) + 1000 * tonumber(redis.call('HGET', KEYS[1], 'ttl'))
for i = 1, #KEYS do
  local left = redis.call('PTTL', KEYS[i])
  if left == -1 or (left >= 0 and left < hold) then redis.call('PEXPIRE', KEYS[i], hold) end
end
return 1
