-- claim-cost-alert: hands the next due cost alert to one deliverer for a lease: its due time
-- becomes the lease's end, so no other process takes it meanwhile and each alert is POSTed once
-- in the normal case; a deliverer that dies mid-delivery leaves it due again when the lease ends.
-- KEYS: the common eleven (library-core.lua), then [12] the alert outbox (HASH id -> alert JSON),
--   [13] the alerts' due times (ZSET id -> ms)
-- ARGV: the common four, then [5] lease in ms, [6] this claim's token
-- Returns {'claimed', alert id, alert JSON with attempts counted and token = this claim's} or
--   {'none', ms until the next alert falls due, or -1 when none waits}
local outbox, due = KEYS[12], KEYS[13]
local now = nowMs()
while true do
  local first = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
  if #first == 0 then return {'none', -1} end
  local id, at = first[1], tonumber(first[2])
  if at > now then return {'none', at - now} end
  local raw = redis.call('HGET', outbox, id)
  if raw then
    local alert = cjson.decode(raw)
    alert.attempts = (tonumber(alert.attempts) or 0) + 1
    alert.token = ARGV[6]
    local encoded = cjson.encode(alert)
    redis.call('HSET', outbox, id, encoded)
    redis.call('ZADD', due, now + tonumber(ARGV[5]), id)
    return {'claimed', id, encoded}
  end
  redis.call('ZREM', due, id)
end
