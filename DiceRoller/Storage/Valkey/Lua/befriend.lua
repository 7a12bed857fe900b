-- A second player joined: the room leaves its lonely TTL (field ttl) for full_ttl, for good.

local function befriend(meta)
  local full = redis.call('HGET', meta, 'full_ttl')
  if full then
    redis.call('HSET', meta, 'ttl', full)
    redis.call('HDEL', meta, 'full_ttl')
  end
end
