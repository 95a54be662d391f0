-- retry-failed: an operator's retry (`decomposer jobs retry`): a failed job back to `queued`,
-- out of the dead-letter set, with a fresh allowance. Its attempt numbers keep counting up (the
-- next call is attempt `attempts + 1`, stored in a folder of its own, billed once like any other),
-- so the allowance is added on top: `max_attempts` = attempts + the allowance, `max_recoveries`
-- = recoveries + theirs. `retried_attempts` and `retried_at` mark where the new allowance starts
-- (the worker's backoff counts its retries and the job deadline from there). The error is
-- cleared; the reason stays in the job's history (the event's message). No expiry again: a
-- queued job stays until it finishes. Only a failed job whose hash still exists is retried.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id, [6] attempts allowed from here (MAX_RETRIES + 1),
--   [7] recoveries allowed from here, [8] the message (the operator's reason)
-- Returns {'queued', attempts so far} | {'not_failed', status} | {'missing'} (a dead-letter
--   entry whose job expired is dropped)
local job = givenJob(ARGV[5])
local state = redis.call('HMGET', job.key, 'status', 'attempts', 'recoveries')
if not state[1] then
  redis.call('ZREM', DEAD, job.id)
  return {'missing'}
end
if state[1] ~= 'failed' then return {'not_failed', state[1]} end
local now = nowMs()
local attempts = tonumber(state[2] or '0')
local recoveries = tonumber(state[3] or '0')
redis.call('ZREM', DEAD, job.id)
redis.call('HDEL', job.key, 'error', 'last_error', 'lease_token', 'lease_until')
redis.call('PERSIST', job.key)
redis.call('PERSIST', job.events)
redis.call('HSET', job.key, 'max_attempts', tostring(attempts + tonumber(ARGV[6])),
  'max_recoveries', tostring(recoveries + tonumber(ARGV[7])), 'retried_attempts', tostring(attempts),
  'retried_at', tostring(now))
change(job, now, {'status', 'queued', 'progress', '0', 'message', ARGV[8]})
pushBack(job.id)
wake()
redis.call('HINCRBY', STATS, 'operator_retries', 1)
return {'queued', attempts}
