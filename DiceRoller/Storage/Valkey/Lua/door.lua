-- The door scripts' keys (ValkeyKeys.Door) by name, and their activity refresh.
-- Runs after: touch.lua, befriend.lua

local KNOCKS, KICKED_ADDRESSES, META, PLAYERS, NAMES, KICKED, PRESENCE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6], KEYS[8], KEYS[9]
local SAVED_ROLLS = KEYS[13]
local function door_activity(now)
  redis.call('HSET', META, 'last_activity', now)
  touch(tonumber(redis.call('HGET', META, 'ttl')))
end
local function barred(playerId, deviceKey)
  return redis.call('SISMEMBER', KICKED, playerId) == 1 or (deviceKey ~= '' and redis.call('SISMEMBER', KICKED, deviceKey) == 1)
end
