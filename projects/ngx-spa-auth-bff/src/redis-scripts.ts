/**
 * The Lua scripts of RedisStore: each session operation that needs more than one command runs as
 * one script, so it is atomic.
 */

/**
 * GET, and extend the idle deadline (capped by the absolute end) only when it moved by more than
 * ARGV[3] ms or must shrink: a read that does not move the deadline is not a write (no AOF append,
 * no fsync, nothing replicated), so a busy session costs one write per slack interval, not one per
 * request. The key never outlives the idle lifetime; it may end up to the slack early.
 * Answers 1 instead of the value when its revision is ARGV[4] (the caller holds it decoded), so an
 * unchanged session is not sent (a few KB of tokens) on every request.
 */
const READ_SESSION_BODY = `
local v = redis.call('GET', KEYS[1])
if not v then return false end
local nl = string.find(v, '\\n', 1, true)
if not nl then return false end
local head = string.sub(v, 1, nl - 1)
local sp = string.find(head, ' ', 1, true)
local absoluteEnd = tonumber(sp and string.sub(head, 1, sp - 1) or head)
local ttl = math.floor(math.min(tonumber(ARGV[1]), absoluteEnd - tonumber(ARGV[2])))
if ttl <= 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 or ttl < left or ttl - left > tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
local unchanged = sp and ARGV[4] ~= '' and string.sub(head, sp + 1) == ARGV[4]`;
export const READ_SESSION = `${READ_SESSION_BODY}
if unchanged then return 1 end
return v`;

/**
 * The same for a store with a local cache, which also needs the idle deadline as Redis holds it
 * now (ms left): `{1 or value, left}`. The script's GET is what `CLIENT TRACKING` tracks.
 */
export const READ_SESSION_TRACKED = `${READ_SESSION_BODY}
if left < 0 or ttl < left or ttl - left > tonumber(ARGV[3]) then left = ttl end
if unchanged then return {1, left} end
return {v, left}`;

/** Writes only while the lock is ours and the session still exists (XX: never resurrect it). */
export const REPLACE_LOCKED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3], 'XX') then return 1 end
return 0`;

export const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
