-- complete-cached: ends a job with layers copied from the result cache: no endpoint call. The
-- day's cost hash counts the hit and the cost it avoided (the cache entry's average call cost),
-- in the same step, so a refused completion (a lost lease) counts nothing.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream,
--   [14] the UTC day's cost hash
-- ARGV: the common four, then [5] job id, [6] lease token, [7] result JSON, [8] the attempt whose
--   folder holds the copies, [9] the job the layers came from, [10] micro-dollars avoided,
--   [11] the cost hash's time-to-live in s
-- Returns 'ok' | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
finish(job, nowMs(), 'completed', {'progress', '100', 'message', 'Done (from the result cache)', 'result', ARGV[7],
  'result_attempt', ARGV[8], 'cached', '1', 'cached_from', ARGV[9]})
redis.call('HINCRBY', KEYS[14], 'cache_hits', 1)
redis.call('HINCRBY', KEYS[14], 'cache_avoided_micros', ARGV[10])
redis.call('EXPIRE', KEYS[14], ARGV[11])
redis.call('HINCRBY', STATS, 'cache_hits', 1)
return 'ok'
