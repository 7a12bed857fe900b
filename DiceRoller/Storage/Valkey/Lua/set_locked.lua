-- ARGV: locked ('1' or '0'), now. Returns 1, or 0 when the room is gone.
-- Runs after: touch.lua, befriend.lua, door.lua

if redis.call('EXISTS', META) == 0 then return 0 end
redis.call('HSET', META, 'locked', ARGV[1])
door_activity(ARGV[2])
return 1
