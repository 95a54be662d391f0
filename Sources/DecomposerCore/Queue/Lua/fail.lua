-- fail: ends a job with an error and puts it in the dead-letter set.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id, [6] lease token, [7] error JSON, [8] message
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
finish(job, nowMs(), 'failed', {'error', ARGV[7], 'message', ARGV[8]})
return 'ok'
