-- KEYS[1]: the room's meta hash. ARGV: token, replace ('1' always, '0' only when the room has none).
-- Returns the room's token afterwards, or false when the room is gone.

if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'share_overlay', ARGV[1])
  return ARGV[1]
end
redis.call('HSETNX', KEYS[1], 'share_overlay', ARGV[1])
return redis.call('HGET', KEYS[1], 'share_overlay')
