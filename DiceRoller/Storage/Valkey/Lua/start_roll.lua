-- KEYS: the room's meta hash, its players hash, the player's roll-rate counter, and the request's key (absent without
-- a request id). ARGV: playerId, now, abandonAfterMs, keepForMs, rollLimit, rollWindow (ms), fallbackClientSeed,
-- keepFallback ('1' or '0'), candidateSeed (stored hex), candidateCommitment, genesis, hidden ('1' or '0'), hidden
-- secrets per commitment, the member's secret hash ('' to skip the member check). With a secret hash, first of all: the
-- players hash must hold the member with exactly that secret_hash and, for a hidden roll, the room must be DM-led with them
-- as its dm, else { 'NOT_MEMBER' } before anything is claimed or counted (the caller may have authenticated against an
-- older room read). A hidden roll under a rules-2 commitment (one with a '.') takes the next hidden-roll secret index
-- (field hidden_next, reset on rotation); when all are taken it answers { 'HIDDEN_USED_UP' } before claiming or counting
-- anything. Claims the request id, counts the roll against the limit and takes the member's next nonce
-- (nonce:{playerId}, from 1), in that order; an id that rolled or is rolling counts nothing, a refused roll claims and
-- takes nothing. With a request id the claim is also kept as the member's open claim (field claim:{playerId} =
-- 'requestKey|claimedAt|nonce|hiddenIndex|commitment|serverClientSeed', claimedAt 0 once released) until its roll is
-- appended: the member's next claim takes its nonce, hidden index (same commitment, hidden again) and server-picked
-- client seed again when it is this very request (taken over), released, or abandoned (claimed abandonAfterMs ago), so
-- no nonce is skipped. Returns { 'OK', nonce, clientSeed, seed, commitment, seq, lastHash, clientSeedCommitment (''
-- when none or the fallback), hiddenIndex (-1 when none), serverClientSeed }, { 'DONE', rollId }, { 'IN_FLIGHT' }, {
-- 'HIDDEN_USED_UP' }, { 'RATE_LIMITED', ms until the window ends }, { 'NOT_MEMBER' } or { 'NOT_FOUND' }.
-- Runs after: count_attempt.lua

if redis.call('EXISTS', KEYS[1]) == 0 then return { 'NOT_FOUND' } end
if ARGV[14] ~= '' then
  local member = redis.call('HGET', KEYS[2], ARGV[1])
  if not member or not string.find(member, '"secret_hash":"' .. ARGV[14] .. '"', 1, true) then return { 'NOT_MEMBER' } end
  if ARGV[12] == '1' and (redis.call('HGET', KEYS[1], 'mode') ~= 'dm-led' or redis.call('HGET', KEYS[1], 'dm') ~= ARGV[1]) then
    return { 'NOT_MEMBER' }
  end
end
local request = KEYS[4]
if request then
  local current = redis.call('GET', request)
  if current then
    local state, value = string.match(current, '^(%a+)|(.*)$')
    if state == 'done' then return { 'DONE', value } end
    if tonumber(ARGV[2]) - tonumber(value) < tonumber(ARGV[3]) then return { 'IN_FLIGHT' } end
  end
end
local current = redis.call('HGET', KEYS[1], 'commitment') or ''
if current == '' then current = ARGV[10] end
local secrets = ARGV[12] == '1' and string.find(current, '.', 1, true) ~= nil
local claimField = 'claim:' .. ARGV[1]
local kept = nil
local open = request and redis.call('HGET', KEYS[1], claimField)
if open then
  local key, at, n, h, c, fallback = string.match(open, '^(.-)|(%d+)|(%d+)|(%-?%d+)|(.-)|(.*)$')
  if key and (key == request or at == '0' or tonumber(ARGV[2]) - tonumber(at) >= tonumber(ARGV[3])) then
    kept = { nonce = tonumber(n), hidden = tonumber(h), commitment = c, fallback = fallback }
  end
end
local keptHidden = kept and secrets and kept.hidden >= 0 and kept.commitment == current
if secrets and not keptHidden and tonumber(redis.call('HGET', KEYS[1], 'hidden_next') or '0') >= tonumber(ARGV[13]) then
  return { 'HIDDEN_USED_UP' }
end
local count, ttl = count_attempt(KEYS[3], ARGV[6])
if count > tonumber(ARGV[5]) then return { 'RATE_LIMITED', ttl } end
if request then redis.call('SET', request, 'pending|' .. ARGV[2], 'PX', ARGV[4]) end
local seed = redis.call('HGET', KEYS[1], 'seed')
if not seed or seed == '' then
  seed = ARGV[9]
  redis.call('HSET', KEYS[1], 'seed', seed, 'commitment', ARGV[10])
end
local nonce, hiddenIndex, fallback = 0, -1, ARGV[7]
if kept then nonce, fallback = kept.nonce, kept.fallback else nonce = redis.call('HINCRBY', KEYS[1], 'nonce:' .. ARGV[1], 1) end
if keptHidden then hiddenIndex = kept.hidden
elseif secrets then hiddenIndex = redis.call('HINCRBY', KEYS[1], 'hidden_next', 1) - 1 end
if request then
  redis.call('HSET', KEYS[1], claimField, table.concat({ request, ARGV[2], nonce, hiddenIndex, current, fallback }, '|'))
end
local clientSeed = redis.call('HGET', KEYS[1], 'client_seed:' .. ARGV[1])
local clientSeedAt = redis.call('HGET', KEYS[1], 'client_seed_at:' .. ARGV[1]) or ''
if not clientSeed then
  clientSeedAt = ''
  clientSeed = fallback
  if ARGV[8] == '1' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
    redis.call('HSET', KEYS[1], 'client_seed:' .. ARGV[1], clientSeed)
  end
end
local last = redis.call('HGET', KEYS[1], 'last_hash') or ARGV[11]
return { 'OK', nonce, clientSeed, seed, redis.call('HGET', KEYS[1], 'commitment'), redis.call('HGET', KEYS[1], 'seq'), last, clientSeedAt,
  hiddenIndex, fallback }
