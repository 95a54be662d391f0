-- cancel: cancels a queued job at once (it is never claimed) or a running one (its lease
-- ends; its worker is told on the cancellations channel and its next write is refused).
-- KEYS: the common eleven (library-core.lua), then [12] the job's hash, [13] its event stream
-- ARGV: the common four, then [5] job id
-- Returns {'cancelled', previous status} | {'finished', status} | {'missing'}
local job = givenJob(ARGV[5])
local status = redis.call('HGET', job.key, 'status')
if not status then return {'missing'} end
if status ~= 'queued' and status ~= 'processing' then return {'finished', status} end
removeWaiting(job.id)
redis.call('ZREM', DELAYED, job.id)
finish(job, nowMs(), 'cancelled', {'message', 'Cancelled'})
if status == 'processing' then redis.call('PUBLISH', prefix .. ':cancellations', job.id) end
return {'cancelled', status}
