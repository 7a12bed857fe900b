-- ARGV: playerId, nameKey, now. Returns { 'OK', heir ('' unless the creator left) }, { 'CLOSED' } when the last member
-- left (the room is deleted), { 'DM' } when the DM must hand over first, { 'NO_PLAYER' } or { 'NOT_FOUND' }.
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return { 'NO_PLAYER' } end
if redis.call('HLEN', KEYS[2]) == 1 then
  redis.call('DEL', unpack(KEYS))
  return { 'CLOSED' }
end
local mode = redis.call('HGET', KEYS[1], 'mode')
local dm = redis.call('HGET', KEYS[1], 'dm')
if mode == 'dm-led' and dm == ARGV[1] then return { 'DM' } end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[2])
redis.call('HDEL', KEYS[1], 'continue:' .. ARGV[1])
redis.call('HDEL', KEYS[11], ARGV[1])
local prefix = ARGV[1] .. '|'
for _, member in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do
  if string.sub(member, 1, #prefix) == prefix then redis.call('ZREM', KEYS[7], member) end
end
local heir = ''
if redis.call('HGET', KEYS[1], 'creator') == ARGV[1] then
  if mode == 'dm-led' and dm and dm ~= '' then
    heir = dm
  else
    local first = nil
    for _, json in ipairs(redis.call('HVALS', KEYS[2])) do
      local player = cjson.decode(json)
      if first == nil or player.joined_at < first.joined_at then first = player end
    end
    heir = first.player_id
  end
  redis.call('HSET', KEYS[1], 'creator', heir)
end
activity(ARGV[3])
return { 'OK', heir }
