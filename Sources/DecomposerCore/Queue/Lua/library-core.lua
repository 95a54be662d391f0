-- The queue's shared Lua, part one: put in front of every queue script by `QueueScripts`, and
-- followed by `library.lua` in every script but `enqueue`, which needs only this part (every
-- helper here is built again on each call of a script, so the busiest script carries the fewest).
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
-- these helpers: `pushBack` here, `pushFront`, `popFront` and `removeWaiting` in library.lua): a
-- job pushed behind the others scores one more than the last score, one put at the front one
-- less than the first, so ZRANK + 1 is the job's place in the line (1 = the
-- next RPOP). No counter to keep: the set's own ends (O(log N)) give the next score.
local function pushBack(id)
  local last = redis.call('ZRANGE', ORDER, -1, -1, 'WITHSCORES')
  redis.call('LPUSH', WAIT, id)
  redis.call('ZADD', ORDER, (tonumber(last[2]) or 0) + 1, id)
end

-- Keeps a job's event (`payload`: its public fields at `version`, JSON) in its stream under id
-- 0-<version>, so a watcher can read every change after the version it has.
local function keep(job, version, payload)
  redis.call('XADD', job.events, 'MAXLEN', '~', '256', '0-' .. version, 'job', payload)
end

-- Sends a job's event on the events channel (one subscription per process fans out to watchers).
local function announce(payload) redis.call('PUBLISH', prefix .. ':events', payload) end

-- Puts the event in the webhook outbox when `status` is one of the webhook's events (comma-separated).
local function notifyWebhook(job, version, at, payload, hook, hookEvents, status)
  if string.find(',' .. (hookEvents or '') .. ',', ',' .. status .. ',', 1, true) then
    redis.call('RPUSH', WEBHOOKS, cjson.encode({
      job = job.id, version = version, event = status, url = hook, at = at, payload = payload}))
  end
end

-- Wakes one idle worker (they BLPOP the marker list).
local function wake() redis.call('LPUSH', MARKER, '1') end
