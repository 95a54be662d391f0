-- The queue's shared Lua, part two: put in front of every queue script but `enqueue`, after
-- `library-core.lua` (its keys, clock, `pushBack`, `keep`, `announce` and `wake`).
local FINISHED = {completed = KEYS[9], cancelled = KEYS[10], failed = DEAD}

-- The wait list's other helpers (see `pushBack` in library-core.lua for the mirror's rule).
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

-- Keeps and announces an event: every change of a job (a new job's first event: see enqueue.lua).
local function publish(job, version, payload)
  keep(job, version, payload)
  announce(payload)
end

-- Publishes the job as it is now, read back whole (see `publish`). A job with a webhook (enqueue's `webhook`,
-- `webhook_events`) whose status changed to one of its events also gets an entry in the webhook
-- outbox, carrying this payload (the job as it was at that event); `webhook_status` remembers the
-- last status seen, so progress ticks add nothing. Jobs without one pay nothing.
local function emit(job)
  local flat = redis.call('HGETALL', job.key)
  local fields = {}
  for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
  local hook, hookEvents, hookStatus = fields['webhook'], fields['webhook_events'], fields['webhook_status']
  fields['lease_token'], fields['webhook'], fields['webhook_events'], fields['webhook_status'] = nil, nil, nil, nil
  local payload = cjson.encode(fields)
  publish(job, fields['version'], payload)
  local status = fields['status']
  if hook and status and status ~= hookStatus then
    redis.call('HSET', job.key, 'webhook_status', status)
    notifyWebhook(job, fields['version'], fields['updated_at'], payload, hook, hookEvents, status)
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

-- The oldest pending webhook event of a job while the claim `token` still holds it, else nil
-- (another claim took it after this one's lease ended, or it was delivered or dropped).
local function heldWebhookEvent(pending, token)
  local raw = redis.call('LINDEX', pending, 0)
  if not raw then return nil end
  local entry = cjson.decode(raw)
  if entry.token ~= token then return nil end
  return entry
end

-- Records on the job's delivery state what the last try of `entry` got.
local function noteWebhookTry(state, entry, result, now)
  redis.call('HSET', state, 'last_event', entry.event, 'last_version', tostring(entry.version),
    'last_result', result, 'last_at', tostring(now))
  redis.call('PEXPIRE', state, retentionMs)
end
