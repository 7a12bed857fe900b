-- ARGV: playerId, clientSeed, now. Client seeds live in the meta hash as client_seed:{playerId}, beside the commitment
-- current when each was set (client_seed_at:{playerId}). Returns 1, or 0 for a non-member.
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'client_seed:' .. ARGV[1], ARGV[2], 'client_seed_at:' .. ARGV[1], redis.call('HGET', KEYS[1], 'commitment') or '')
activity(ARGV[3])
return 1
