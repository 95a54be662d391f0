-- resume-queue: lifts the operator's pause (`decomposer queue resume`), never a budget hold.
-- Queued jobs in `wait` say again what they wait for (the budget hold's message while one is
-- set, else 'Waiting for a worker'), and one wake-up token per waiting job (at most ARGV[6])
-- goes on the marker list, so workers idle in BLPOP claim at once.
-- KEYS: the common eleven (library-core.lua), then [12] the operator's pause ({p}:queue:operator-pause)
-- ARGV: the common four, then [5] 'Waiting for a worker', [6] most wake-up tokens to push
-- Returns {'resumed', queued jobs annotated, whether a budget hold still holds (1/0)} | {'not-paused', 0, 1/0}
local now = nowMs()
local held = redis.call('GET', HOLD)
local stillHeld = held and 1 or 0
if redis.call('DEL', KEYS[12]) == 0 then return {'not-paused', 0, stillHeld} end
local annotated = 0
local waiting = redis.call('LRANGE', WAIT, 0, -1)
for _, id in ipairs(waiting) do
  local job = foundJob(id)
  if redis.call('HGET', job.key, 'status') == 'queued' then
    change(job, now, {'message', held or ARGV[5]})
    annotated = annotated + 1
  end
end
if not held then
  for _ = 1, math.min(#waiting, tonumber(ARGV[6])) do wake() end
end
return {'resumed', annotated, stillHeld}
