-- progress: reports progress (never backwards within an attempt) and, with an attempt
-- number, records that call to the endpoint as made: `attempts` becomes at least that
-- number, so a write sent again after a lost reply counts the call once.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id, [6] lease token, [7] progress, [8] message,
--   [9] attempt number ('0' = not a call)
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
local current = tonumber(redis.call('HGET', job.key, 'progress') or '0')
local wanted = math.max(current, math.min(100, tonumber(ARGV[7])))
local attempt = tonumber(ARGV[9])
if attempt > 0 and attempt > tonumber(redis.call('HGET', job.key, 'attempts') or '0') then
  redis.call('HSET', job.key, 'attempts', tostring(attempt))
end
change(job, nowMs(), {'progress', tostring(wanted), 'message', ARGV[8]})
return 'ok'
