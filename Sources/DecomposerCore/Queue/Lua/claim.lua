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
--   while more than that many wait, so idle workers still find jobs), [11] '1' when these tokens
--   went out before in a claim whose reply never came (ClaimTokens), else '0'
-- Returns {'claimed', {HGETALL of each job}…, jobs still waiting} | {'empty', next wake-up ms or '', now}
--       | {'held', message, ms until the hold ends} | {'paused', the operator's message}
--   Each job's `lease_token` field says which token it is leased under.
local now = nowMs()
local limit = tonumber(ARGV[9])
promoteDue(now, limit)
recoverExpired(now, limit)
local tokens = {}
for token in string.gmatch(ARGV[5], '[^,]+') do tokens[#tokens + 1] = token end
local leaseMs = tonumber(ARGV[6])
-- Leases the job to `token` for the lease's length (again, for a job a lost reply took).
local function lease(job, token)
  local leaseUntil = now + leaseMs
  redis.call('ZADD', ACTIVE, leaseUntil, job.id)
  redis.call('HSET', job.key, 'lease_token', token, 'lease_until', tostring(leaseUntil))
end
-- The reply's tail: the wait list's length after the claim. A worker whose slots are full then
-- knows whether a claim ahead would find anything, and skips the one that would not.
local function claimed(reply)
  reply[#reply + 1] = redis.call('LLEN', WAIT)
  return reply
end
-- Asked again after a lost reply: the jobs an earlier run leased under these tokens go back to
-- their worker (lease renewed) before anything else, held or paused queue included, since they
-- were taken before. A walk over the running jobs, only on this rare path.
if ARGV[11] == '1' then
  local mine = {}
  for _, token in ipairs(tokens) do mine[token] = true end
  local again = {'claimed'}
  for _, id in ipairs(redis.call('ZRANGE', ACTIVE, 0, -1)) do
    local job = foundJob(id)
    local current = redis.call('HMGET', job.key, 'status', 'lease_token')
    if current[1] == 'processing' and current[2] and mine[current[2]] then
      lease(job, current[2])
      again[#again + 1] = redis.call('HGETALL', job.key)
    end
  end
  if #again > 1 then return claimed(again) end
end
local held = redis.call('GET', HOLD)
if held then return {'held', held, tostring(redis.call('PTTL', HOLD))} end
local paused = redis.call('GET', KEYS[12])
if paused then return {'paused', paused} end
local leaving = tonumber(ARGV[10])
local reply = {'claimed'}
while #reply <= #tokens and (leaving == 0 or redis.call('LLEN', WAIT) > leaving) do
  local id = popFront()
  if not id then break end
  local job = foundJob(id)
  -- Ids of jobs that expired or were cancelled meanwhile are dropped.
  if redis.call('HGET', job.key, 'status') == 'queued' then
    lease(job, tokens[#reply])
    redis.call('HDEL', job.key, 'last_error')
    change(job, now, {'status', 'processing', 'progress', ARGV[7], 'message', ARGV[8]})
    reply[#reply + 1] = redis.call('HGETALL', job.key)
  end
end
if #reply > 1 then return claimed(reply) end
if redis.call('LLEN', WAIT) > 0 then return {'empty', '', tostring(now)} end
-- Nothing is waiting, so every wake-up token left is stale.
redis.call('DEL', MARKER)
local wakeAt = nil
for _, set in ipairs({DELAYED, ACTIVE}) do
  local first = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
  if first[2] and (wakeAt == nil or tonumber(first[2]) < wakeAt) then wakeAt = tonumber(first[2]) end
end
return {'empty', wakeAt and tostring(wakeAt) or '', tostring(now)}
