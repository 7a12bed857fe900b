-- ARGV: ttl, code, mode, creator, dm ('' if none), now, playerId, playerJson, nameKey, seed (hex), commitment, full
-- ttl ('' unless ttl is the lonely TTL of a room nobody else joined yet)
-- Runs after: touch.lua

if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'code', ARGV[2], 'mode', ARGV[3], 'creator', ARGV[4], 'dm', ARGV[5],
  'dc', '', 'created_at', ARGV[6], 'last_activity', ARGV[6], 'ttl', ARGV[1], 'seq', 0, 'seed', ARGV[10], 'commitment', ARGV[11])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[10], KEYS[11])
redis.call('HSET', KEYS[2], ARGV[7], ARGV[8])
redis.call('HSET', KEYS[4], ARGV[9], ARGV[7])
if ARGV[12] and ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'full_ttl', ARGV[12]) end
touch(tonumber(ARGV[1]))
return 1
