-- KEYS[1]: the counter. ARGV: window (ms). Returns { count, ms until the window ends }.
-- Runs after: count_attempt.lua

local count, ttl = count_attempt(KEYS[1], ARGV[1])
return { count, ttl }
