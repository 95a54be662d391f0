-- complete: ends a job with its layers.
-- KEYS: the common eight (library.lua), then [9] the job's hash, [10] its event stream
-- ARGV: the common four, then [5] job id, [6] lease token, [7] result JSON
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
finish(job, nowMs(), 'completed', {'progress', '100', 'message', 'Done', 'result', ARGV[7]})
return 'ok'
