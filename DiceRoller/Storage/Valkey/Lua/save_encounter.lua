-- KEYS: the room's keys (ValkeyKeys.All), then its initiative key (last). ARGV: expected version, encounter JSON ('' ends it), now.
-- Returns 1 saved (the version is one more), 0 when the version moved on meanwhile, -1 when the room is gone.
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local key = KEYS[#KEYS]
local version = tonumber(redis.call('HGET', key, 'v') or '0')
if version ~= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == '' then
  redis.call('HDEL', key, 'json')
  redis.call('HSET', key, 'v', version + 1)
else
  redis.call('HSET', key, 'v', version + 1, 'json', ARGV[2])
end
activity(ARGV[3])
return 1
