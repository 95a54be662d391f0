-- The queue's shared Lua, put in front of every queue script by `QueueScripts` (once per script).
--
-- Calling convention of every queue script:
--   KEYS[1] wait     LIST    job ids ready to run (LPUSH to enqueue, RPOP to claim, RPUSH = front)
--   KEYS[2] active   ZSET    job id -> lease deadline (ms) of every processing job
--   KEYS[3] delayed  ZSET    job id -> due time (ms) of every job waiting out a retry backoff
--   KEYS[4] marker   LIST    wake-up tokens idle workers BLPOP on
--   KEYS[5] dead     ZSET    job id -> failure time (ms), capped by count and retention
--   KEYS[6] stats    HASH    lifetime counters
--   KEYS[7] hold     STRING  while set, nothing is claimed (the daily budget is spent); its value
--                            is the message queued jobs show; expires when the hold ends
--   KEYS[8] order    ZSET    mirrors `wait`: job id -> a score that sorts like the list from its
--                            claim end, so a waiting job's place is one ZRANK (O(log N))
--   KEYS[9] completed ZSET   job id -> finish time (ms) of every completed job still retained
--   KEYS[10] cancelled ZSET  job id -> finish time (ms) of every cancelled job still retained
--                            (with `dead` for failed ones: the finished-job indexes `jobs list`
--                            reads newest first, trimmed by the retention as jobs finish)
--   KEYS[11] webhooks LIST   the webhook outbox: one entry per event of a job with a webhook,
--                            appended by `emit`, drained by the webhook deliverer
--   KEYS[12..]       the script's own keys, named in its header (a job's hash and event stream)
--   ARGV[1] key prefix. Keys of jobs a script finds by itself (claim, sweep, the hold's notes on
--           waiting jobs) are built from it, as BullMQ does; they share its hash tag, so every
--           key a script touches is in one cluster slot.
--   ARGV[2] now in ms ('' = Redis's own TIME, one clock for the whole fleet; tests pass a value)
--   ARGV[3] retention of finished jobs in ms
--   ARGV[4] dead-letter cap
--   the script's own arguments start at ARGV[5].
local prefix = ARGV[1]
local retentionMs = tonumber(ARGV[3])
local deadCap = tonumber(ARGV[4])
local WAIT, ACTIVE, DELAYED, MARKER, DEAD, STATS, HOLD, ORDER = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local FINISHED = {completed = KEYS[9], cancelled = KEYS[10], failed = DEAD}
local WEBHOOKS = KEYS[11]

local function nowMs()
  local given = tonumber(ARGV[2])
  if given then return given end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A job the caller named: its keys are KEYS[12] (hash) and KEYS[13] (event stream).
local function givenJob(id) return {id = id, key = KEYS[12], events = KEYS[13]} end

-- The wait list's two ends, mirrored in ORDER (every push and removal of `wait` goes through
-- these helpers): a job pushed behind the others scores one more than the last score, one put
-- at the front one less than the first, so ZRANK + 1 is the job's place in the line (1 = the
-- next RPOP). No counter to keep: the set's own ends (O(log N)) give the next score.
local function pushBack(id)
  local last = redis.call('ZRANGE', ORDER, -1, -1, 'WITHSCORES')
  redis.call('LPUSH', WAIT, id)
  redis.call('ZADD', ORDER, (tonumber(last[2]) or 0) + 1, id)
end

local function pushFront(id)
  local first = redis.call('ZRANGE', ORDER, 0, 0, 'WITHSCORES')
  redis.call('RPUSH', WAIT, id)
  redis.call('ZADD', ORDER, (tonumber(first[2]) or 0) - 1, id)
end

-- The next job id from the claim end of `wait`, or nil.
local function popFront()
  local id = redis.call('RPOP', WAIT)
  if id then redis.call('ZREM', ORDER, id) end
  return id
end

local function removeWaiting(id)
  redis.call('LREM', WAIT, 0, id)
  redis.call('ZREM', ORDER, id)
end

-- A job the script found by itself (an id from a list or set).
local function foundJob(id)
  local key = prefix .. ':job:' .. id
  return {id = id, key = key, events = key .. ':events'}
end

-- Publishes the job as it is now: appended to its stream under id 0-<version> (so a
-- watcher can read every change after the version it has) and on the events channel
-- (one subscription per process fans out to watchers). A job with a webhook (enqueue's
-- `webhook`, `webhook_events`) whose status changed to one of its events also gets an entry in
-- the webhook outbox, carrying this payload (the job as it was at that event); `webhook_status`
-- remembers the last status seen, so progress ticks add nothing. Jobs without one pay nothing.
local function emit(job)
  local flat = redis.call('HGETALL', job.key)
  local fields = {}
  for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
  local hook, hookEvents, hookStatus = fields['webhook'], fields['webhook_events'], fields['webhook_status']
  fields['lease_token'], fields['webhook'], fields['webhook_events'], fields['webhook_status'] = nil, nil, nil, nil
  local payload = cjson.encode(fields)
  redis.call('XADD', job.events, 'MAXLEN', '~', '256', '0-' .. fields['version'], 'job', payload)
  redis.call('PUBLISH', prefix .. ':events', payload)
  local status = fields['status']
  if hook and status and status ~= hookStatus then
    redis.call('HSET', job.key, 'webhook_status', status)
    if string.find(',' .. (hookEvents or '') .. ',', ',' .. status .. ',', 1, true) then
      redis.call('RPUSH', WEBHOOKS, cjson.encode({
        job = job.id, version = fields['version'], event = status, url = hook, at = fields['updated_at'], payload = payload}))
    end
  end
end

-- Every change goes through here: set fields, bump version, emit.
local function change(job, now, fields)
  fields[#fields + 1] = 'updated_at'
  fields[#fields + 1] = tostring(now)
  redis.call('HSET', job.key, unpack(fields))
  redis.call('HINCRBY', job.key, 'version', 1)
  emit(job)
end

-- Ends a job: no lease, no longer active, expires after the retention.
local function finish(job, now, status, fields)
  redis.call('ZREM', ACTIVE, job.id)
  redis.call('HDEL', job.key, 'lease_token', 'lease_until')
  fields[#fields + 1] = 'status'
  fields[#fields + 1] = status
  change(job, now, fields)
  redis.call('PEXPIRE', job.key, retentionMs)
  redis.call('PEXPIRE', job.events, retentionMs)
  redis.call('HINCRBY', STATS, status, 1)
  local index = FINISHED[status]
  redis.call('ZADD', index, now, job.id)
  redis.call('ZREMRANGEBYSCORE', index, '-inf', now - retentionMs)
  if status == 'failed' then redis.call('ZREMRANGEBYRANK', DEAD, 0, -(deadCap + 1)) end
end

-- Nil when the caller holds the job's lease, else why not ('cancelled', 'lost').
local function leaseProblem(job, token)
  local v = redis.call('HMGET', job.key, 'status', 'lease_token')
  if v[1] == 'processing' and v[2] == token then return nil end
  if v[1] == 'cancelled' then return 'cancelled' end
  return 'lost'
end

local function wake() redis.call('LPUSH', MARKER, '1') end

-- Moves retries whose backoff is over back to the wait list.
local function promoteDue(now, limit)
  local due = redis.call('ZRANGEBYSCORE', DELAYED, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', DELAYED, id)
    pushBack(id)
    wake()
  end
  return #due
end

-- Takes back jobs whose lease expired (their worker died) and queues them at the
-- front; a job abandoned more often than its max_recoveries fails.
local function recoverExpired(now, limit)
  local expired = redis.call('ZRANGEBYSCORE', ACTIVE, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(expired) do
    redis.call('ZREM', ACTIVE, id)
    local job = foundJob(id)
    if redis.call('HGET', job.key, 'status') == 'processing' then
      redis.call('HDEL', job.key, 'lease_token', 'lease_until')
      local recoveries = redis.call('HINCRBY', job.key, 'recoveries', 1)
      redis.call('HINCRBY', STATS, 'recoveries', 1)
      local allowed = tonumber(redis.call('HGET', job.key, 'max_recoveries') or redis.call('HGET', job.key, 'max_attempts') or '1')
      if recoveries > allowed then
        local err = cjson.encode({code = 'abandoned', message = 'Workers stopped responding while running this job ' .. recoveries .. ' times; giving up'})
        finish(job, now, 'failed', {'error', err, 'message', 'Failed: workers kept stopping while running this job'})
      else
        pushFront(id)
        wake()
        change(job, now, {'status', 'queued', 'progress', '0', 'message', 'Worker stopped responding; job queued again'})
      end
    end
  end
  return #expired
end

-- Holds the queue until endMs: claims are refused (see claim.lua) and every queued job
-- says why, through a normal change; jobs enqueued meanwhile get the same message.
-- Returns how many jobs were annotated, or -1 when the queue was already held.
local function placeHold(message, endMs, now)
  if redis.call('EXISTS', HOLD) == 1 then return -1 end
  redis.call('SET', HOLD, message, 'PXAT', endMs)
  local annotated = 0
  for _, id in ipairs(redis.call('LRANGE', WAIT, 0, -1)) do
    local job = foundJob(id)
    if redis.call('HGET', job.key, 'status') == 'queued' then
      change(job, now, {'message', message})
      annotated = annotated + 1
    end
  end
  return annotated
end
