-- record-attempt: bills one call to the prediction endpoint (CostTracker) into the day's
-- cost hash and the job, once per attempt however often it is sent; when the day's spend
-- reaches the daily budget, places the hold in the same step (no window in which claims
-- still succeed), for the whole fleet.
-- KEYS: the common seven (library.lua), then [8] the day's cost hash,
--   [9] the job's hash (only for a job's call; its cost is added only while it exists)
-- ARGV: the common four, then [5] micro-dollars, [6] GPU ms, [7] failed (0/1),
--   [8] cost hash time-to-live in s, [9] attempt number ('' = not counted),
--   [10] daily budget in micro-dollars ('' = none), [11] hold message, [12] hold end (ms)
-- Returns {'recorded' | 'repeat', jobs annotated when this record placed the hold, else -1}
local day, jobHash = KEYS[8], KEYS[9]
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
  if string.find(billed, ',' .. mark, 1, true) then return {'repeat', -1} end
  redis.call('HSET', jobHash, 'billed_attempts', billed .. mark)
end
redis.call('HINCRBY', day, 'microdollars', ARGV[5])
redis.call('HINCRBY', day, 'gpu_ms', ARGV[6])
redis.call('HINCRBY', day, 'requests', 1)
redis.call('HINCRBY', day, 'failed_requests', ARGV[7])
redis.call('EXPIRE', day, ARGV[8])
if job then redis.call('HINCRBY', jobHash, 'cost_micros', ARGV[5]) end
local annotated = -1
if ARGV[10] ~= '' and tonumber(redis.call('HGET', day, 'microdollars')) >= tonumber(ARGV[10]) then
  annotated = placeHold(ARGV[11], ARGV[12], nowMs())
end
return {'recorded', annotated}
