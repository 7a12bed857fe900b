
local function activity(now)
  redis.call('HSET', KEYS[1], 'last_activity', now)
  touch(tonumber(redis.call('HGET', KEYS[1], 'ttl')))
end
