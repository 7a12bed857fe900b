-- ARGV: playerId, nameKey (the name upper-cased), entryJson (the saved roll with its "key"), max, now. The saved rolls
-- live in KEYS[11] (ValkeyKeys.SavedRolls): playerId -> JSON array in the order saved. A name saved already is replaced
-- in its place. Returns 'OK', 'FULL' (max reached, the name is new) or 'NOT_MEMBER' (or the room is gone).
-- Runs after: touch.lua, activity.lua

if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 'NOT_MEMBER' end
local json = redis.call('HGET', KEYS[11], ARGV[1])
local list = json and cjson.decode(json) or {}
local entry = cjson.decode(ARGV[3])
local found = false
for i, item in ipairs(list) do
  if item.key == ARGV[2] then
    list[i] = entry
    found = true
    break
  end
end
if not found then
  if #list >= tonumber(ARGV[4]) then return 'FULL' end
  list[#list + 1] = entry
end
redis.call('HSET', KEYS[11], ARGV[1], cjson.encode(list))
activity(ARGV[5])
return 'OK'
