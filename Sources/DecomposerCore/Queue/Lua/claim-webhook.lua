-- claim-webhook: first routes what `emit` appended to the webhook outbox (KEYS[11]) into each
-- job's pending list, in order, making the job due; then hands the oldest pending event of the
-- next due job to one deliverer for a lease. The job's due time becomes the lease's end, so no
-- other process takes it meanwhile, and a deliverer killed mid-delivery leaves it due again when
-- the lease ends. One due entry per job and only its list's head in flight: events of a job are
-- delivered in order. A job whose receiver answered 410 (`stopped` in its state) takes no more.
-- KEYS: the common eleven (library-core.lua), then [12] the due jobs (ZSET job id -> ms).
--   A job's pending list ({p}:webhooks:pending:<id>) and state hash ({p}:webhooks:state:<id>)
--   are found by the script (built from the prefix, like claim's job keys; same hash tag).
-- ARGV: the common four, then [5] lease in ms, [6] this claim's token, [7] most outbox entries to route
-- Returns {'claimed', job id, event JSON with attempts counted and token = this claim's} or
--   {'none', ms until the next job falls due, or -1 when none waits}
local due = KEYS[12]
local now = nowMs()
local function pendingKey(id) return prefix .. ':webhooks:pending:' .. id end
local function stateKey(id) return prefix .. ':webhooks:state:' .. id end
for _ = 1, tonumber(ARGV[7]) do
  local raw = redis.call('LPOP', WEBHOOKS)
  if not raw then break end
  local entry = cjson.decode(raw)
  local state = stateKey(entry.job)
  if redis.call('HGET', state, 'stopped') ~= '1' then
    entry.attempts = 0
    entry.first_ms = now
    redis.call('RPUSH', pendingKey(entry.job), cjson.encode(entry))
    redis.call('PEXPIRE', pendingKey(entry.job), retentionMs)
    redis.call('HINCRBY', state, 'events', 1)
    redis.call('PEXPIRE', state, retentionMs)
    if not redis.call('ZSCORE', due, entry.job) then redis.call('ZADD', due, now, entry.job) end
  end
end
while true do
  local first = redis.call('ZRANGE', due, 0, 0, 'WITHSCORES')
  if #first == 0 then return {'none', -1} end
  local id, at = first[1], tonumber(first[2])
  if at > now then return {'none', at - now} end
  local raw = redis.call('LINDEX', pendingKey(id), 0)
  if raw then
    local entry = cjson.decode(raw)
    entry.attempts = (tonumber(entry.attempts) or 0) + 1
    entry.token = ARGV[6]
    local encoded = cjson.encode(entry)
    redis.call('LSET', pendingKey(id), 0, encoded)
    redis.call('ZADD', due, now + tonumber(ARGV[5]), id)
    return {'claimed', id, encoded}
  end
  redis.call('ZREM', due, id)
end
