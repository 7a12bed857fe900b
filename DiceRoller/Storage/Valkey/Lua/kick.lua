-- ARGV: playerId, nameKey, deviceKey ('' if none), addressHash ('' if none), now. Returns 1 when the player was
-- removed and their id, device and address barred, 0 when not in the room.
-- Runs after: touch.lua, befriend.lua, door.lua

if redis.call('HEXISTS', PLAYERS, ARGV[1]) == 0 then return 0 end
redis.call('HDEL', PLAYERS, ARGV[1])
redis.call('HDEL', NAMES, ARGV[2])
redis.call('SADD', KICKED, ARGV[1])
if ARGV[3] ~= '' then redis.call('SADD', KICKED, ARGV[3]) end
redis.call('HDEL', META, 'continue:' .. ARGV[1])
redis.call('HDEL', SAVED_ROLLS, ARGV[1])
if ARGV[4] ~= '' then redis.call('HSET', KICKED_ADDRESSES, ARGV[4], ARGV[5]) end
local prefix = ARGV[1] .. '|'
for _, member in ipairs(redis.call('ZRANGE', PRESENCE, 0, -1)) do
  if string.sub(member, 1, #prefix) == prefix then redis.call('ZREM', PRESENCE, member) end
end
door_activity(ARGV[5])
return 1
