-- pause-fleet: every worker holds off calling the endpoint (it answered 429) until now + ms,
-- unless a later pause is already set: the pause only ever moves later.
-- KEYS: the common eleven (library-core.lua), then [12] the fleet pause ({p}:gpu:paused_until, ms)
-- ARGV: the common four, then [5] pause ms
-- Returns {'paused', until ms}
local untilMs = nowMs() + tonumber(ARGV[5])
local current = tonumber(redis.call('GET', KEYS[12]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[12], untilMs, 'PX', tonumber(ARGV[5]) + 1000)
end
return {'paused', math.max(untilMs, current)}
