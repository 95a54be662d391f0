-- purge-dead: removes up to a batch of dead letters that failed before a time, with their job
-- hashes and event streams (`decomposer jobs purge --dead`). Bounded: the caller runs it again
-- while a whole batch was removed. An entry whose job is no longer failed (never the case for a
-- dead letter, which a retry takes out of the set) loses only its entry, never the job.
-- KEYS: the common eleven (library-core.lua); the jobs' keys are found from the ids in `dead`
-- ARGV: the common four, then [5] failed before (ms, exclusive; '+inf' = all), [6] batch size
-- Returns {'purged', the number of entries removed}
local ids = redis.call('ZRANGEBYSCORE', DEAD, '-inf', '(' .. ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(ids) do
  local job = foundJob(id)
  local status = redis.call('HGET', job.key, 'status')
  if status == 'failed' or not status then redis.call('DEL', job.key, job.events) end
  redis.call('ZREM', DEAD, id)
end
return {'purged', #ids}
