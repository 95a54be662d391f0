-- progress: reports progress (never backwards within an attempt) and, with an attempt
-- number, records that call to the endpoint as made: `attempts` becomes at least that
-- number, so a write sent again after a lost reply counts the call once. A call is not
-- recorded while the fleet pause lasts (the endpoint answered 429 for the whole fleet): then
-- nothing is written and the reply says for how long, so checking the pause and starting the
-- call are one round trip, with no moment between them for a pause to begin unseen.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream,
--   [14] the fleet pause ({p}:gpu:paused_until, ms; given with an attempt number)
-- ARGV: the common four, then [5] job id, [6] lease token, [7] progress, [8] message,
--   [9] attempt number ('0' = not a call)
-- Returns 'ok' | {'paused', ms left} | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
local now = nowMs()
local attempt = tonumber(ARGV[9])
if attempt > 0 then
  local pausedUntil = tonumber(redis.call('GET', KEYS[14]) or '0')
  if pausedUntil > now then return {'paused', pausedUntil - now} end
end
local current = tonumber(redis.call('HGET', job.key, 'progress') or '0')
local wanted = math.max(current, math.min(100, tonumber(ARGV[7])))
if attempt > 0 and attempt > tonumber(redis.call('HGET', job.key, 'attempts') or '0') then
  redis.call('HSET', job.key, 'attempts', tostring(attempt))
end
change(job, now, {'progress', tostring(wanted), 'message', ARGV[8]})
return 'ok'
