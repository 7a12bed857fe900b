-- ARGV: playerId, seal, replace ('1' or '0'). Seals live in the meta hash as continue:{playerId}. Returns 1 when
-- stored, 0 when the player is not a member or (without replace) already has one.

if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
local field = 'continue:' .. ARGV[1]
if ARGV[3] == '0' and redis.call('HEXISTS', KEYS[1], field) == 1 then return 0 end
redis.call('HSET', KEYS[1], field, ARGV[2])
return 1
