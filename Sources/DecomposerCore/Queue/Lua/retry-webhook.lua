-- retry-webhook: after a failed delivery of a job's oldest pending event, makes the job due again
-- after the backoff, on Redis's clock, if the caller's claim still holds it; an event pending
-- longer than the give-up age is dropped instead (its last try falls at that age, never later)
-- and the job's next event becomes due at once.
-- KEYS: the common eleven (library-core.lua), then [12] the due jobs (ZSET), [13] the job's pending
--   events (LIST), [14] the job's delivery state (HASH)
-- ARGV: the common four, then [5] job id, [6] the claim's token, [7] backoff in ms,
--   [8] give-up age in ms, [9] why it failed (for the state)
-- Returns {'scheduled', ms until due}, {'gave_up', age in ms}, or {'lost'}
local due, pending, state = KEYS[12], KEYS[13], KEYS[14]
local entry = heldWebhookEvent(pending, ARGV[6])
if not entry then return {'lost'} end
local now = nowMs()
noteWebhookTry(state, entry, ARGV[9], now)
redis.call('HINCRBY', state, 'failed_attempts', 1)
local giveUpAt = tonumber(entry.first_ms) + tonumber(ARGV[8])
if now >= giveUpAt then
  redis.call('LPOP', pending)
  redis.call('HINCRBY', state, 'given_up', 1)
  if redis.call('LLEN', pending) > 0 then
    redis.call('ZADD', due, now, ARGV[5])
  else
    redis.call('ZREM', due, ARGV[5])
  end
  return {'gave_up', now - tonumber(entry.first_ms)}
end
local at = math.min(now + tonumber(ARGV[7]), giveUpAt)
entry.token = nil
redis.call('LSET', pending, 0, cjson.encode(entry))
redis.call('ZADD', due, at, ARGV[5])
return {'scheduled', at - now}
