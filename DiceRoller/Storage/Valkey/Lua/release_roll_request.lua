-- KEYS: the request's key, the room's meta hash. ARGV: playerId. Forgets a claim that made no roll (never a completed
-- one) and marks it released in the member's open claim (claimedAt 0), so the member's next claim takes its nonce
-- again.

local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, 5) == 'done|' then return 1 end
if current then redis.call('DEL', KEYS[1]) end
local open = redis.call('HGET', KEYS[2], 'claim:' .. ARGV[1])
if open then
  local key, rest = string.match(open, '^(.-)|%d+|(.*)$')
  if key == KEYS[1] then redis.call('HSET', KEYS[2], 'claim:' .. ARGV[1], key .. '|0|' .. rest) end
end
return 1
