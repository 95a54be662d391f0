-- complete: ends a job with its layers; with the result cache on, the same step makes the result
-- the cache entry for its digest (the request's identity) and ends the digest's in-flight claim,
-- so an identical job finds the entry the moment this one is completed.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream,
--   [14] the digest's cache entry (HASH; only when the result is cached), [15] the digest's
--   in-flight claim (STRING: the id of the job calling the endpoint for it)
-- ARGV: the common four, then [5] job id, [6] lease token, [7] result JSON, [8] the attempt whose
--   folder holds the layers, and with KEYS[14]: [9] the entry's time-to-live ms, [10] what the call
--   cost (micro-dollars), [11] the deployed model that answered ('' = not said)
-- The entry: job_id, attempt, result, call_micros (the average cost of the calls that made the
--   digest's entries, the cost a hit avoids), calls, deployed_model_id, created_ms.
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
local now = nowMs()
finish(job, now, 'completed', {'progress', '100', 'message', 'Done', 'result', ARGV[7], 'result_attempt', ARGV[8]})
local entry, flight = KEYS[14], KEYS[15]
if entry then
  local before = redis.call('HMGET', entry, 'call_micros', 'calls')
  local calls = tonumber(before[2] or '0')
  local average = math.floor(((tonumber(before[1] or '0') * calls) + tonumber(ARGV[10])) / (calls + 1) + 0.5)
  redis.call('HSET', entry, 'job_id', job.id, 'attempt', ARGV[8], 'result', ARGV[7], 'call_micros', average,
    'calls', calls + 1, 'deployed_model_id', ARGV[11], 'created_ms', now)
  redis.call('PEXPIRE', entry, ARGV[9])
  if redis.call('GET', flight) == job.id then redis.call('DEL', flight) end
end
return 'ok'
