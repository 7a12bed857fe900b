-- KEYS[1]: the room's meta hash. ARGV: webhook URL, error ('' for a success), at (unix ms).
-- Recorded only while that URL is still the room's webhook. Returns 1 when recorded, else 0.

if redis.call('HGET', KEYS[1], 'share_webhook') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('HSET', KEYS[1], 'share_ok_at', ARGV[3])
else
  redis.call('HSET', KEYS[1], 'share_error', ARGV[2], 'share_error_at', ARGV[3])
end
return 1
