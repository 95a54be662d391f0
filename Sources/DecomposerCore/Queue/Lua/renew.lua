-- renew: extends the caller's lease.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id, [6] lease token, [7] lease ms
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
local leaseUntil = nowMs() + tonumber(ARGV[7])
redis.call('ZADD', ACTIVE, leaseUntil, job.id)
redis.call('HSET', job.key, 'lease_until', tostring(leaseUntil))
return 'ok'
