-- retry: schedules another attempt after a backoff, durably (a sorted set, not a worker's
-- memory), or fails the job when its attempts are used up.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id, [6] lease token, [7] error JSON, [8] delay ms,
--   [9] retry message, [10] exhausted message
-- Returns 'scheduled' | 'exhausted' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
local now = nowMs()
local attempts = tonumber(redis.call('HGET', job.key, 'attempts') or '0')
local maxAttempts = tonumber(redis.call('HGET', job.key, 'max_attempts') or '1')
if attempts >= maxAttempts then
  finish(job, now, 'failed', {'error', ARGV[7], 'message', ARGV[10]})
  return 'exhausted'
end
redis.call('ZREM', ACTIVE, job.id)
redis.call('HDEL', job.key, 'lease_token', 'lease_until')
redis.call('ZADD', DELAYED, now + tonumber(ARGV[8]), job.id)
-- Wakes idle workers so they plan their sleep around this due time.
wake()
redis.call('HINCRBY', STATS, 'retries', 1)
change(job, now, {'status', 'queued', 'progress', '0', 'message', ARGV[9], 'last_error', ARGV[7]})
return 'scheduled'
