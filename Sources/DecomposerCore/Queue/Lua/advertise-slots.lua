-- advertise-slots: a worker says how many endpoint calls it runs at once (MAX_CONCURRENT_JOBS)
-- until a deadline it renews every lease/3; entries past their deadline (workers gone) are
-- dropped. The sum over live entries is the fleet's call slots, for queued jobs' ETA.
-- KEYS: the common eleven (library-core.lua), then [12] the worker-slots ZSET
-- ARGV: the common four, then [5] entry ('<slots>/<worker id>'), [6] time-to-live ms,
--   [7] '1' to withdraw the entry (shutdown)
-- Returns {'ok', number of live entries}
local now = nowMs()
local slots = KEYS[12]
redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
if ARGV[7] == '1' then
  redis.call('ZREM', slots, ARGV[5])
else
  redis.call('ZADD', slots, now + tonumber(ARGV[6]), ARGV[5])
end
return {'ok', redis.call('ZCARD', slots)}
