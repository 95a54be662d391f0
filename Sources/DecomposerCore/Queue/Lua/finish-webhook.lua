-- finish-webhook: ends the delivery of a job's oldest pending event, if the caller's claim still
-- holds it: delivered (2xx) removes it and makes the job's next event due at once; gone (the
-- receiver answered 410) drops every pending event of the job and stops its deliveries for good.
-- KEYS: the common eleven (library-core.lua), then [12] the due jobs (ZSET), [13] the job's pending
--   events (LIST), [14] the job's delivery state (HASH)
-- ARGV: the common four, then [5] job id, [6] the claim's token, [7] 'delivered' or 'gone',
--   [8] what the receiver answered (for the state: 'HTTP 204')
-- Returns {'delivered'}, {'stopped', events dropped with it}, or {'lost'} (another claim holds it
--   since this one's lease ended, or it is no longer pending)
local due, pending, state = KEYS[12], KEYS[13], KEYS[14]
local entry = heldWebhookEvent(pending, ARGV[6])
if not entry then return {'lost'} end
local now = nowMs()
noteWebhookTry(state, entry, ARGV[8], now)
if ARGV[7] == 'gone' then
  local dropped = redis.call('LLEN', pending)
  redis.call('DEL', pending)
  redis.call('ZREM', due, ARGV[5])
  redis.call('HSET', state, 'stopped', '1')
  return {'stopped', dropped}
end
redis.call('LPOP', pending)
redis.call('HINCRBY', state, 'delivered', 1)
if redis.call('LLEN', pending) > 0 then
  redis.call('ZADD', due, now, ARGV[5])
else
  redis.call('ZREM', due, ARGV[5])
end
return {'delivered'}
