-- repair-order: rebuilds the `order` mirror from `wait` when the two disagree in size, as after
-- an upgrade from a release without the mirror (jobs LPUSHed by it have no score) or while such
-- a release still enqueues beside this one. Consistent (ZCARD = LLEN): two O(1) reads, nothing
-- written. Otherwise the mirror is rebuilt from the list (O(N log N)): the element at the claim
-- end (the list's last) scores 1, the one before it 2, and so on, so ZRANK + 1 is the position.
-- KEYS: the common eleven (library-core.lua); nothing of its own
-- ARGV: the common four
-- Returns {'ok', 0} when consistent, else {'repaired', entries in `order` before, jobs in `wait`}
local waiting = redis.call('LLEN', WAIT)
local mirrored = redis.call('ZCARD', ORDER)
if waiting == mirrored then return {'ok', 0} end
redis.call('DEL', ORDER)
local ids = redis.call('LRANGE', WAIT, 0, -1)
local batch = {}
for index, id in ipairs(ids) do
  batch[#batch + 1] = waiting - index + 1
  batch[#batch + 1] = id
  -- ZADD in batches: unpack() of a whole long list would overflow Lua's stack.
  if #batch >= 2000 then
    redis.call('ZADD', ORDER, unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('ZADD', ORDER, unpack(batch)) end
return {'repaired', mirrored, waiting}
