-- ARGV: fromPlayerId, toPlayerId, changeJson (with "after_sequence":-1, filled in here), now. Returns OK, NOT_FOUND,
-- NOT_DM (not DM-led, or the sender is no longer its DM) or NO_PLAYER.
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return 'NOT_FOUND' end
if redis.call('HGET', KEYS[1], 'mode') ~= 'dm-led' or redis.call('HGET', KEYS[1], 'dm') ~= ARGV[1] then return 'NOT_DM' end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 0 then return 'NO_PLAYER' end
local seq = redis.call('HGET', KEYS[1], 'seq')
local change = string.gsub(ARGV[3], '"after_sequence":%-1', '"after_sequence":' .. seq, 1)
redis.call('RPUSH', KEYS[5], change)
redis.call('HSET', KEYS[1], 'dm', ARGV[2])
activity(ARGV[4])
return 'OK'
