-- ARGV: now. Forgets the kicked players' addresses (their ids and devices stay in KICKED). Returns 0 when the room is
-- gone.
-- Runs after: touch.lua, befriend.lua, door.lua

if redis.call('EXISTS', META) == 0 then return 0 end
redis.call('DEL', KICKED_ADDRESSES)
door_activity(ARGV[1])
return 1
