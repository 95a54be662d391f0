-- postpone: puts a running job back for a short wait that is not an attempt: the worker could
-- not reach what the job needs before its call (storage out of reach). Unlike `retry`,
-- `attempts` is untouched (it counts endpoint calls, set by `progress`), the job is never failed
-- here and no retry is counted, so an outage of any length delays jobs without using up their
-- retries.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id, [6] lease token, [7] delay ms, [8] message
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
local now = nowMs()
redis.call('ZREM', ACTIVE, job.id)
redis.call('HDEL', job.key, 'lease_token', 'lease_until')
redis.call('ZADD', DELAYED, now + tonumber(ARGV[7]), job.id)
-- Wakes idle workers so they plan their sleep around this due time.
wake()
change(job, now, {'status', 'queued', 'progress', '0', 'message', ARGV[8]})
return 'ok'
