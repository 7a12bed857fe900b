-- ARGV: knockId, currentJson, answeredJson, admit ('1' or '0'), maxPlayers, playerId, playerJson, nameKey, deviceKey,
-- now. Returns ADMITTED, REFUSED, CHANGED (not as read: answered meanwhile), NOT_FOUND, KICKED, FULL or NAME_TAKEN.
-- Runs after: touch.lua, befriend.lua, door.lua

if redis.call('EXISTS', META) == 0 then return 'NOT_FOUND' end
if redis.call('HGET', KNOCKS, ARGV[1]) ~= ARGV[2] then return 'CHANGED' end
if ARGV[4] == '0' then
  redis.call('HSET', KNOCKS, ARGV[1], ARGV[3])
  return 'REFUSED'
end
if barred(ARGV[6], ARGV[9]) then return 'KICKED' end
if redis.call('HLEN', PLAYERS) >= tonumber(ARGV[5]) then return 'FULL' end
if redis.call('HEXISTS', NAMES, ARGV[8]) == 1 then return 'NAME_TAKEN' end
redis.call('HSET', PLAYERS, ARGV[6], ARGV[7])
redis.call('HSET', NAMES, ARGV[8], ARGV[6])
redis.call('HSET', KNOCKS, ARGV[1], ARGV[3])
befriend(META)
door_activity(ARGV[10])
return 'ADMITTED'
