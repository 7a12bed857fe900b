-- ARGV: playerId, nameKey (the name upper-cased), now. Removes the member's saved roll of that name from KEYS[11] (see
-- save_roll.lua). Returns 1 when removed, 0 when there was none (or the room is gone).
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local json = redis.call('HGET', KEYS[11], ARGV[1])
if not json then return 0 end
local kept, removed = {}, false
for _, item in ipairs(cjson.decode(json)) do
  if item.key == ARGV[2] then removed = true else kept[#kept + 1] = item end
end
if not removed then return 0 end
if #kept == 0 then
  redis.call('HDEL', KEYS[11], ARGV[1])
else
  redis.call('HSET', KEYS[11], ARGV[1], cjson.encode(kept))
end
activity(ARGV[3])
return 1
