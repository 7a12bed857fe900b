-- One attempt against a fixed-window counter: returns the count in the window and the ms until it ends.

local function count_attempt(key, windowMs)
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, windowMs) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, windowMs); ttl = tonumber(windowMs) end
  return count, ttl
end
