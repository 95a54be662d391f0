-- pause-queue: an operator's fleet-wide pause (`decomposer queue pause`). The claim script
-- refuses while it is set, exactly as during the budget hold; running jobs finish. Queued jobs
-- in `wait` say why (one pass over the list, as the budget hold's notes), unless the budget
-- hold's message already does. Pausing again replaces the message.
-- KEYS: the common eleven (library-core.lua), then [12] the operator's pause ({p}:queue:operator-pause)
-- ARGV: the common four, then [5] the message queued jobs show
-- Returns {'paused', queued jobs annotated}
local now = nowMs()
redis.call('SET', KEYS[12], ARGV[5])
local annotated = 0
if redis.call('EXISTS', HOLD) == 0 then
  for _, id in ipairs(redis.call('LRANGE', WAIT, 0, -1)) do
    local job = foundJob(id)
    if redis.call('HGET', job.key, 'status') == 'queued' then
      change(job, now, {'message', ARGV[5]})
      annotated = annotated + 1
    end
  end
end
return {'paused', annotated}
