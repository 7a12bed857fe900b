-- ARGV: dc ('' to clear), now. Returns 1, or 0 when the room is gone.
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'dc', ARGV[1])
activity(ARGV[2])
return 1
