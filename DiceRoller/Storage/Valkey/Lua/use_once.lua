-- KEYS[1]: the key. ARGV: lifetime (ms). Returns 1 the first time, 0 while the key lives.

if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0
