-- KEYS[1]: the room's meta hash. ARGV: the webhook URL ('' removes it). Returns 1, or 0 when the room is gone.
-- Sharing settings live in the room's own hash, so they expire and are deleted with the room; HSET keeps its TTL.

if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], 'share_error', 'share_error_at', 'share_ok_at')
if ARGV[1] == '' then
  redis.call('HDEL', KEYS[1], 'share_webhook')
else
  redis.call('HSET', KEYS[1], 'share_webhook', ARGV[1])
end
return 1
