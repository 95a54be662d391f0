-- look-up-result: what a job about to call the endpoint finds in the result cache for its
-- digest (the request's identity: prepared image, layers, resolution, endpoint, model version).
-- A completed result: the job is completed from it. Otherwise single flight: the first job
-- with the digest claims it and calls; another job with the same digest waits while that one
-- is `processing` (its own lease is the flight's: a claimant that crashed, failed, was
-- cancelled or went back to the queue is `processing` no more, and the next job to ask takes
-- the flight over), so two identical jobs in flight call the endpoint once, and none waits
-- for ever.
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream,
--   [14] the digest's cache entry (HASH, see complete.lua), [15] the digest's in-flight claim
-- ARGV: the common four, then [5] job id, [6] lease token, [7] a job whose cached layers were
--   found gone ('' = none: its entry is dropped, and this job's call repairs it), [8] the
--   in-flight claim's time-to-live ms (only bounds its life; the claimant's status decides)
-- Returns {'hit', source job id, attempt ('' = none), result JSON, call micro-dollars}
--   | {'running', the claimant's job id} | {'yours'} | 'cancelled' | 'lost'
local job = givenJob(ARGV[5])
local problem = leaseProblem(job, ARGV[6])
if problem then return problem end
local entry, flight = KEYS[14], KEYS[15]
local found = redis.call('HMGET', entry, 'job_id', 'attempt', 'result', 'call_micros')
if found[1] and found[1] == ARGV[7] then
  redis.call('DEL', entry)
elseif found[1] and found[3] then
  return {'hit', found[1], found[2] or '', found[3], found[4] or '0'}
end
local claimant = redis.call('GET', flight)
if claimant and claimant ~= job.id and redis.call('HGET', foundJob(claimant).key, 'status') == 'processing' then
  return {'running', claimant}
end
redis.call('SET', flight, job.id, 'PX', ARGV[8])
return {'yours'}
