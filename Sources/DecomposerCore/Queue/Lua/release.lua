-- release: hands a job back at the front of the queue (a worker shutting down), so another
-- worker takes it now rather than after the lease expires.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id, [6] lease token, [7] message
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
redis.call('ZREM', ACTIVE, job.id)
redis.call('HDEL', job.key, 'lease_token', 'lease_until')
pushFront(job.id)
wake()
change(job, nowMs(), {'status', 'queued', 'progress', '0', 'message', ARGV[7]})
return 'ok'
