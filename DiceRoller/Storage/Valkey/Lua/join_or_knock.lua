-- ARGV: maxPlayers, playerId, playerJson, nameKey, now, deviceKey, addressHash, kickedSince, knockId, knockJson.
-- Returns OK, KNOCK, NOT_FOUND, KICKED, FULL or NAME_TAKEN.
-- Runs after: touch.lua, befriend.lua, door.lua

if redis.call('EXISTS', META) == 0 then return 'NOT_FOUND' end
if barred(ARGV[2], ARGV[6]) then return 'KICKED' end
if redis.call('HLEN', PLAYERS) >= tonumber(ARGV[1]) then return 'FULL' end
if redis.call('HEXISTS', NAMES, ARGV[4]) == 1 then return 'NAME_TAKEN' end
local kickedAt = ARGV[7] ~= '' and redis.call('HGET', KICKED_ADDRESSES, ARGV[7])
if redis.call('HGET', META, 'locked') == '1' or (kickedAt and tonumber(kickedAt) >= tonumber(ARGV[8])) then
  redis.call('HSET', KNOCKS, ARGV[9], ARGV[10])
  door_activity(ARGV[5])
  return 'KNOCK'
end
redis.call('HSET', PLAYERS, ARGV[2], ARGV[3])
redis.call('HSET', NAMES, ARGV[4], ARGV[2])
befriend(META)
door_activity(ARGV[5])
return 'OK'
