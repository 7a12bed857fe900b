-- ARGV: rollJson (without its sequence: the score carries it), historyLimit, now. Returns the new sequence, or -1.
-- Runs after: touch.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('ZADD', KEYS[3], seq, ARGV[1])
local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[2])
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1) end
redis.call('HSET', KEYS[1], 'last_activity', ARGV[3])
touch(tonumber(redis.call('HGET', KEYS[1], 'ttl')))
return seq
