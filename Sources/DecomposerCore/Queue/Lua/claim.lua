-- claim: takes up to one job per lease token, after promoting due retries and recovering
-- expired leases: one atomic step, so a job is never held by two workers and never lost
-- between states. Nothing is taken while the queue is held (the daily budget is spent),
-- whichever worker asks and whoever placed the hold, nor while an operator has paused it
-- (`decomposer queue pause`): the same refusal, without an end.
-- KEYS: the common eleven (library-core.lua), then [12] the operator's pause ({p}:queue:operator-pause);
--   jobs taken are found in `wait`
-- ARGV: the common four, then
--   [5] lease tokens, comma-separated, [6] lease ms, [7] progress, [8] message,
--   [9] maintenance batch limit, [10] jobs to leave waiting (a claim ahead takes a job only
--   while more than that many wait, so idle workers still find jobs)
-- Returns {'claimed', {HGETALL of each job}…, jobs still waiting} | {'empty', next wake-up ms or '', now}
--       | {'held', message, ms until the hold ends} | {'paused', the operator's message}
local now = nowMs()
local limit = tonumber(ARGV[9])
promoteDue(now, limit)
recoverExpired(now, limit)
local held = redis.call('GET', HOLD)
if held then return {'held', held, tostring(redis.call('PTTL', HOLD))} end
local paused = redis.call('GET', KEYS[12])
if paused then return {'paused', paused} end
local tokens = {}
for token in string.gmatch(ARGV[5], '[^,]+') do tokens[#tokens + 1] = token end
local leaving = tonumber(ARGV[10])
local reply = {'claimed'}
while #reply <= #tokens and (leaving == 0 or redis.call('LLEN', WAIT) > leaving) do
  local id = popFront()
  if not id then break end
  local job = foundJob(id)
  -- Ids of jobs that expired or were cancelled meanwhile are dropped.
  if redis.call('HGET', job.key, 'status') == 'queued' then
    local leaseUntil = now + tonumber(ARGV[6])
    redis.call('ZADD', ACTIVE, leaseUntil, id)
    redis.call('HSET', job.key, 'lease_token', tokens[#reply], 'lease_until', tostring(leaseUntil))
    redis.call('HDEL', job.key, 'last_error')
    change(job, now, {'status', 'processing', 'progress', ARGV[7], 'message', ARGV[8]})
    reply[#reply + 1] = redis.call('HGETALL', job.key)
  end
end
-- The wait list's length after the claim: a worker whose slots are full then knows whether a
-- claim ahead would find anything, and skips the one that would not.
if #reply > 1 then
  reply[#reply + 1] = redis.call('LLEN', WAIT)
  return reply
end
if redis.call('LLEN', WAIT) > 0 then return {'empty', '', tostring(now)} end
-- Nothing is waiting, so every wake-up token left is stale.
redis.call('DEL', MARKER)
local wakeAt = nil
for _, set in ipairs({DELAYED, ACTIVE}) do
  local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
  if first[2] and (wakeAt == nil or tonumber(first[2]) < wakeAt) then wakeAt = tonumber(first[2]) end
end
return {'empty', wakeAt and tostring(wakeAt) or '', tostring(now)}
