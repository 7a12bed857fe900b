-- KEYS[1]: the live rooms (code -> the earliest time it may expire, ms). ARGV: code, its earliest expiry, maxRooms.
-- Takes a place for the code: { 'OK' }, { 'TAKEN' } when the code is live, { 'FULL', earliest expiry of any room }.

if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return { 'TAKEN' } end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return { 'FULL', first[2] }
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return { 'OK' }
