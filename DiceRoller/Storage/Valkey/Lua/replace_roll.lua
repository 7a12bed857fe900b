-- ARGV: sequence, currentJson, updatedJson, now. Returns 1 when replaced, 0 when the roll is not as expected.
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local found = redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[1], ARGV[1])
if #found ~= 1 or found[1] ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[3])
activity(ARGV[4])
return 1
