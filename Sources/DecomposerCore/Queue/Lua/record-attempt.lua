-- record-attempt: bills one call to the prediction endpoint (CostTracker) into the day's
-- cost hash and the job, once per attempt however often it is sent; when the day's spend
-- reaches the daily budget, places the hold in the same step (no window in which claims
-- still succeed), for the whole fleet; and when it first crosses a cost-alert threshold,
-- appends that alert to the outbox in the same step, so each threshold fires once a day
-- across the fleet however many records cross it at once.
-- KEYS: the common eleven (library-core.lua), then [12] the day's cost hash, [13] the day's job costs
--   (ZSET job id -> micro-dollars), [14] the day's fired alert thresholds (SET of labels),
--   [15] the alert outbox (HASH alert id -> alert JSON), [16] the alerts' due times (ZSET id -> ms),
--   [17] the job's hash (only for a job's call; its cost is added only while it exists)
-- ARGV: the common four, then [5] micro-dollars, [6] GPU ms, [7] failed (0/1),
--   [8] cost hash time-to-live in s, [9] attempt number ('' = not counted),
--   [10] daily budget in micro-dollars ('' = none), [11] hold message, [12] hold end (ms),
--   [13] job id ('' = none), [14] the day (YYYY-MM-DD), [15] the outbox's time-to-live in ms,
--   [16..] alert thresholds as pairs: label (the fraction, '0.8'), micro-dollars that cross it
--   (only with a budget)
-- An alert (JSON): {day, threshold (label), spent_micros, budget_micros, top_jobs: [{job_id,
--   micros}] (the day's five costliest), created_ms, attempts (0)}; its id is '<day>/<label>'.
-- Returns {'recorded' | 'repeat', jobs annotated when this record placed the hold, else -1,
--   alerts appended to the outbox}
local day, jobCosts, fired, outbox, due, jobHash = KEYS[12], KEYS[13], KEYS[14], KEYS[15], KEYS[16], KEYS[17]
local job = jobHash and redis.call('EXISTS', jobHash) == 1
if job and ARGV[9] ~= '' then
  -- The job's billed attempts as a set (',1,3,'), not as the highest one: calls can be billed
  -- out of order. A worker cut off from Redis mid-call bills its attempt when it is back, after
  -- the worker that recovered the job meanwhile has billed the next one; both calls ran.
  local mark = tostring(tonumber(ARGV[9])) .. ','
  local billed = redis.call('HGET', jobHash, 'billed_attempts')
  if not billed then
    -- A job billed by a release before the set existed kept only its highest billed attempt
    -- ('billed_attempt'): every attempt up to it counts as billed, so an upgrade bills none twice.
    billed = ','
    for n = 1, tonumber(redis.call('HGET', jobHash, 'billed_attempt') or '0') do billed = billed .. n .. ',' end
  end
  if string.find(billed, ',' .. mark, 1, true) then return {'repeat', -1, 0} end
  redis.call('HSET', jobHash, 'billed_attempts', billed .. mark)
end
redis.call('HINCRBY', day, 'microdollars', ARGV[5])
redis.call('HINCRBY', day, 'gpu_ms', ARGV[6])
redis.call('HINCRBY', day, 'requests', 1)
redis.call('HINCRBY', day, 'failed_requests', ARGV[7])
-- The fleet's moving average of a successful call's duration (EWMA, weight 1/5 for the newest),
-- which queued jobs' ETA is made of (JobQueue.places).
local callMs = tonumber(ARGV[6])
if ARGV[7] == '0' and callMs > 0 then
  local average = tonumber(redis.call('HGET', STATS, 'call_ms_average') or '')
  redis.call('HSET', STATS, 'call_ms_average', tostring(math.floor(average and (average * 0.8 + callMs * 0.2) or callMs)))
end
redis.call('EXPIRE', day, ARGV[8])
if job then redis.call('HINCRBY', jobHash, 'cost_micros', ARGV[5]) end
if ARGV[13] ~= '' then
  redis.call('ZINCRBY', jobCosts, ARGV[5], ARGV[13])
  redis.call('EXPIRE', jobCosts, ARGV[8])
end
local spent = tonumber(redis.call('HGET', day, 'microdollars'))
local annotated = -1
if ARGV[10] ~= '' and spent >= tonumber(ARGV[10]) then
  annotated = placeHold(ARGV[11], ARGV[12], nowMs())
end
local appended = 0
if ARGV[10] ~= '' then
  for i = 16, #ARGV - 1, 2 do
    local label = ARGV[i]
    -- SADD is the decision: only the first record to cross a threshold adds its label.
    if spent >= tonumber(ARGV[i + 1]) and redis.call('SADD', fired, label) == 1 then
      redis.call('EXPIRE', fired, ARGV[8])
      local top, ranked = {}, redis.call('ZREVRANGE', jobCosts, 0, 4, 'WITHSCORES')
      for r = 1, #ranked, 2 do top[#top + 1] = {job_id = ranked[r], micros = tonumber(ranked[r + 1])} end
      local now = nowMs()
      local id = ARGV[14] .. '/' .. label
      redis.call('HSET', outbox, id, cjson.encode({
        day = ARGV[14], threshold = label, spent_micros = spent, budget_micros = tonumber(ARGV[10]),
        top_jobs = top, created_ms = now, attempts = 0}))
      redis.call('ZADD', due, now, id)
      -- An outbox nobody delivers from any more (alerts switched off) does not stay for ever.
      redis.call('PEXPIRE', outbox, ARGV[15])
      redis.call('PEXPIRE', due, ARGV[15])
      appended = appended + 1
    end
  end
end
return {'recorded', annotated, appended}
