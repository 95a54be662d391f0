-- retry-cost-alert: after a failed delivery, makes the alert due again after the backoff, on
-- Redis's clock, if the caller's claim still holds it; an alert older than the give-up age is
-- dropped instead (its last try falls at that age, never later).
-- KEYS: the common eleven (library-core.lua), then [12] the alert outbox (HASH), [13] the alerts' due times (ZSET)
-- ARGV: the common four, then [5] alert id, [6] the claim's token, [7] backoff in ms, [8] give-up age in ms
-- Returns {'scheduled', ms until due}, {'gave_up', age in ms}, or {'lost'} (another claim holds
--   it since this one's lease ended, or it was finished)
local outbox, due = KEYS[12], KEYS[13]
local raw = redis.call('HGET', outbox, ARGV[5])
if not raw then return {'lost'} end
local alert = cjson.decode(raw)
if alert.token ~= ARGV[6] then return {'lost'} end
local now = nowMs()
local giveUpAt = tonumber(alert.created_ms) + tonumber(ARGV[8])
if now >= giveUpAt then
  redis.call('HDEL', outbox, ARGV[5])
  redis.call('ZREM', due, ARGV[5])
  return {'gave_up', now - tonumber(alert.created_ms)}
end
local at = math.min(now + tonumber(ARGV[7]), giveUpAt)
alert.token = nil
redis.call('HSET', outbox, ARGV[5], cjson.encode(alert))
redis.call('ZADD', due, at, ARGV[5])
return {'scheduled', at - now}
