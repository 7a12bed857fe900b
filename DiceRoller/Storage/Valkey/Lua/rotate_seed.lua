-- ARGV: seed (hex), commitment, now. The room's seed lives in its meta hash (fields seed, commitment). Returns {
-- oldSeed, oldCommitment } ('' when it had none), or { } when the room is gone.
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local old = redis.call('HGET', KEYS[1], 'seed') or ''
local oldCommitment = redis.call('HGET', KEYS[1], 'commitment') or ''
redis.call('HSET', KEYS[1], 'seed', ARGV[1], 'commitment', ARGV[2])
redis.call('HDEL', KEYS[1], 'hidden_next')
activity(ARGV[3])
return { old, oldCommitment }
